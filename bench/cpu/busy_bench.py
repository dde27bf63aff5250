#!/usr/bin/env python3
"""Two threads on a busy machine: dq's W2 GEMV against OpenBLAS with and
without a competing process, per OpenMP wait policy.

    busy_bench.py [--rounds R] [--runs N] [--out results.json]

One W2 g64 4096x4096 weight, M = 1, is compiled ahead of time on both
kernel routes (f32, int8). Every round times, at two threads, each route
under each wait policy (and at one thread under libomp's default) with
`dq-run --benchmark N`, OpenBLAS sgemv (bench/cpu/blas_bench.c, N calls)
and the 2-thread read floor of the weight's bytes (bench/cpu/readbw.c,
quiet only), first on the quiet machine,
then while a competitor process spins on one core (a shell loop at the same
priority: what another job on a shared machine does). Conditions and
implementations alternate within each round. Each figure per run is the
mean time per call (dq-run's mean_us): under load the calls split into
fast ones and slow ones where a worker lost its core, which a median would
hide. Figures are medians over the rounds with min-max, and each
implementation's busy/quiet ratio.

Policies (environment of dq-run; libomp reads them at start):
- default: libomp's own (workers spin for KMP_BLOCKTIME = 200 ms, then
  sleep);
- active: OMP_WAIT_POLICY=active (spin forever; what run_bench.py uses);
- passive: OMP_WAIT_POLICY=passive (sleep at once);
- blocktime0: KMP_BLOCKTIME=0 (sleep at once, libomp's own knob);
- yield: KMP_USE_YIELD=2 (spin, but yield the core at every check);
- throughput: KMP_LIBRARY=throughput (libomp's mode for shared machines).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_bench  # noqa: E402

N = K = 4096
BITS, GROUP = 2, 64
POLICIES = {
    "default": {},
    "active": {"OMP_WAIT_POLICY": "active"},
    "passive": {"OMP_WAIT_POLICY": "passive"},
    "blocktime0": {"KMP_BLOCKTIME": "0"},
    "yield": {"KMP_USE_YIELD": "2"},
    "throughput": {"KMP_LIBRARY": "throughput"},
}


def dq_env(policy):
    env = {k: v for k, v in os.environ.items()
           if k not in ("OMP_WAIT_POLICY", "KMP_BLOCKTIME", "KMP_USE_YIELD",
                        "KMP_LIBRARY")}
    env.update(POLICIES[policy])
    return env


def time_dq(so, x, env, runs, threads=2):
    """The mean time per call of `runs` calls: under load the calls split
    into fast ones and ones where a worker lost its core, which a median
    hides."""
    out = run_bench.run([os.path.join(run_bench.BIN, "dq-run"), so,
                         "--function", "mm", "--input", x, "--threads",
                         str(threads),
                         "--benchmark", str(runs)], env=env)
    return run_bench.last_json(out)["mean_us"]


class Competitor:
    """A process spinning on one core while the block runs."""

    def __enter__(self):
        self.proc = subprocess.Popen(["sh", "-c", "while :; do :; done"])
        time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--runs", type=int, default=1000,
                    help="calls per dq-run --benchmark (mean taken)")
    ap.add_argument("--out", default=os.path.join(HERE, "results",
                                                  "busy-gemv.json"))
    ap.add_argument("--python", default=sys.executable)
    a = ap.parse_args()
    blas_env = run_bench.blas_environment()
    load = open("/proc/loadavg").read().split()[0]
    run_bench.log("busy_bench: load average %s at the start" % load)
    samples = {}
    nbytes = run_bench.weight_bytes(N, K, BITS, GROUP)
    with tempfile.TemporaryDirectory(prefix="dq-busy-") as work:
        blas, readbw = run_bench.build_helpers(work)
        prefix, impls = run_bench.compile_weight(work, N, K, BITS, GROUP,
                                                 a.python, rows=(1,))
        x = "%s.m1.x.npy" % prefix
        for r in range(a.rounds):
            for condition in ("quiet", "busy"):
                with (Competitor() if condition == "busy"
                      else open(os.devnull)):
                    if condition == "quiet":
                        bw = run_bench.last_json(run_bench.run(
                            [readbw, str(nbytes), "2", "200"]))["median_gbs"]
                        samples.setdefault("floor", []).append(
                            nbytes / (bw * 1e3))
                    for route in ("int8", "f32"):
                        for policy in POLICIES:
                            us = time_dq(impls[route], x, dq_env(policy),
                                         a.runs)
                            samples.setdefault(
                                (route, policy, condition), []).append(us)
                        # One thread: what two threads compete with when
                        # another process holds a core.
                        us = time_dq(impls[route], x, dq_env("default"),
                                     a.runs, threads=1)
                        samples.setdefault((route + " 1 thread", "default",
                                            condition), []).append(us)
                    us = run_bench.last_json(run_bench.run(
                        [blas, str(N), str(K), "1", "2", str(a.runs)],
                        env=blas_env))["mean_us"]
                    samples.setdefault(("openblas", "-", condition),
                                       []).append(us)
            run_bench.log("  round %d of %d done" % (r + 1, a.rounds))

    floor = statistics.median(samples["floor"])
    rows = []
    for key, values in samples.items():
        if key == "floor" or key[2] != "quiet":
            continue
        impl, policy, _ = key
        quiet, busy = values, samples[(impl, policy, "busy")]
        rows.append(dict(
            implementation=impl, policy=policy,
            quiet_us=statistics.median(quiet), quiet_min=min(quiet),
            quiet_max=max(quiet), busy_us=statistics.median(busy),
            busy_min=min(busy), busy_max=max(busy),
            busy_over_quiet=statistics.median(busy) / statistics.median(quiet),
            quiet_over_floor=statistics.median(quiet) / floor,
            busy_over_floor=statistics.median(busy) / floor))
    print("W%d g%d %dx%d, M = 1, 2 threads; floor %.1f us (2-thread read of "
          "%d bytes); dq: mean per call of %d calls, medians over %d rounds "
          "[min-max]"
          % (BITS, GROUP, N, K, floor, nbytes, a.runs, a.rounds))
    print("| implementation | wait policy | quiet µs | busy µs | busy/quiet "
          "| quiet/floor | busy/floor |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print("| %s | %s | %.1f [%.1f-%.1f] | %.1f [%.1f-%.1f] | %.2f | %.2f "
              "| %.2f |" % (row["implementation"], row["policy"],
                            row["quiet_us"], row["quiet_min"],
                            row["quiet_max"], row["busy_us"], row["busy_min"],
                            row["busy_max"], row["busy_over_quiet"],
                            row["quiet_over_floor"], row["busy_over_floor"]))
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(dict(command=" ".join(["bench/cpu/busy_bench.py"] +
                                        sys.argv[1:]),
                       date=time.strftime("%Y-%m-%d %H:%M:%S"),
                       cpu=run_bench.cpu_name(), load_at_start=load,
                       rounds=a.rounds, runs=a.runs, floor_us=floor,
                       rows=rows), f, indent=1)
    os.replace(tmp, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
