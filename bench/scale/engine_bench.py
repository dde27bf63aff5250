#!/usr/bin/env python3
"""Times dq-quant configurations on one layer, interleaved, and prints each
one's wall time (median, min-max over the repetitions), CPU time, error and
ratio to the first configuration.

  engine_bench.py --weight W.npy --hessian H.npy --reps 3 \\
      --config "old:/tmp/old/dq-quant:OPENBLAS_CORETYPE=Haswell" \\
      --config "new:build/bin/dq-quant:OPENBLAS_CORETYPE=SkylakeX" \\
      [--json OUT.json] [-- extra dq-quant arguments]

A configuration is NAME:BINARY[:VAR=VALUE,...]; the repetitions go round
the configurations in turn (A B A B ...), so that a change in the machine's
load hits every configuration alike. /proc/loadavg is recorded before each
run, and the CPU time that other processes took during each run (from
/proc/stat, less the run's own): quote figures only from runs that the rest
of the machine left alone.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def busy_seconds():
    """CPU seconds the whole machine has spent busy since boot."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def parse_config(text):
    parts = text.split(":")
    if len(parts) < 2:
        raise SystemExit("engine_bench.py: --config %r: expected "
                         "NAME:BINARY[:VAR=VALUE,...]" % text)
    env = {}
    for item in ":".join(parts[2:]).split(","):
        if item:
            key, _, value = item.partition("=")
            env[key] = value
    return {"name": parts[0], "binary": parts[1], "env": env}


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--weight", required=True)
    p.add_argument("--hessian", required=True)
    p.add_argument("--config", action="append", required=True)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json")
    a = p.parse_args(argv)
    configs = [parse_config(c) for c in a.config]
    args = ["--weight", a.weight, "--hessian", a.hessian, "--method",
            "decoupleq", "--bits", "2", "--group-size", "64", "--threads",
            str(a.threads), "--quiet"] + extra
    runs = {c["name"]: [] for c in configs}
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(a.reps):
            for c in configs:
                with open("/proc/loadavg") as f:
                    load = float(f.read().split()[0])
                env = dict(os.environ, **c["env"])
                busy = busy_seconds()
                start = time.monotonic()
                proc = subprocess.run(
                    [c["binary"]] + args + ["-o", os.path.join(tmp, "o")],
                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    text=True)
                wall = time.monotonic() - start
                busy = busy_seconds() - busy
                if proc.returncode != 0:
                    raise SystemExit("engine_bench.py: %s failed: %s" %
                                     (c["name"], proc.stderr.strip()))
                res = json.loads(proc.stdout.strip().splitlines()[-1])
                run = {"wall": wall, "load_before": load,
                       "seconds": res["seconds"],
                       "cpu_seconds": res["cpu_seconds"],
                       "normalized_error": res["normalized_error"],
                       "blas": res.get("blas", "?"),
                       "other_cpu_seconds": max(0.0, busy -
                                                res["cpu_seconds"])}
                runs[c["name"]].append(run)
                print("rep %d %-12s wall %6.2f s  cpu %6.2f s  error %.7g  "
                      "blas %s  (others' cpu %.2f s, load before %.2f)" %
                      (rep + 1, c["name"], wall, run["cpu_seconds"],
                       run["normalized_error"], run["blas"],
                       run["other_cpu_seconds"], load), flush=True)
    base = statistics.median(r["wall"] for r in runs[configs[0]["name"]])
    print("\n| configuration | wall s median (min-max) | CPU s median | "
          "error | wall vs %s |" % configs[0]["name"])
    print("|---|---|---|---|---|")
    for c in configs:
        rs = runs[c["name"]]
        walls = [r["wall"] for r in rs]
        med = statistics.median(walls)
        print("| %s | %.2f (%.2f-%.2f) | %.2f | %.7g | %.2fx |" %
              (c["name"], med, min(walls), max(walls),
               statistics.median(r["cpu_seconds"] for r in rs),
               rs[0]["normalized_error"], med / base))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"configs": configs, "runs": runs, "args": args}, f,
                      indent=1)


if __name__ == "__main__":
    main()
