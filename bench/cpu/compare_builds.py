#!/usr/bin/env python3
"""The CPU kernels of two dq builds, timed interleaved in one run: the
after/before ratio of bench/cpu/run_bench.py's dq figures.

    compare_builds.py --before OLD/build/bin --after NEW/build/bin
                      [--rounds R] [--runs N] [--out results.json]

Each weight (4096x4096 at W2 g64 and W4 g64, as run_bench.py --quick) is
written once by make_module.py (same seed, so the same module text for
both builds) and compiled by each build's own dq-opt --dq-cpu-pipeline
(f32 route) and --dq-cpu-pipeline="activations=int8" (int8 route), then
dq-compile. Every round times each case (route x M x threads) with each
build's dq-run --benchmark N, the two builds back to back, their order
swapped every round (before-after, after-before, ...). Reported per case:
the median over rounds (min-max) of each build and after/before of the
medians, with the range of the per-round ratios.

The machine's load is recorded: /proc/loadavg before each round, and the
CPU time that other processes took during the round (busy time from
/proc/stat less this script's children's CPU time). Quote figures only
from a run in which the others' share stayed small.
"""
import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import run_bench  # bench/cpu/run_bench.py: run, last_json, DQ_ENV, cpu_name

HERE = os.path.dirname(os.path.abspath(__file__))

WEIGHTS = [(2, 64), (4, 64)]
SHAPE = (4096, 4096)
ROWS = (1, 4, 16, 64)
THREADS = (1, 2)
ROUTES = (("f32", ""), ("int8", "activations=int8"))
BUILDS = ("before", "after")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def busy_seconds():
    """CPU seconds the whole machine has spent busy since boot."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def own_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[:3]


def kernel_ir_digest(text):
    """Digest of the generated kernels' LLVM-dialect functions (names with
    `dq_` or `kernel`, e.g. @__dq_matmul_w2g64_...), for a same-or-not
    check of the two builds' output."""
    out, keep = [], False
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("llvm.func "):
            name = s.split("@", 1)[1].split("(", 1)[0]
            keep = "kernel" in name or "dq_" in name
        if keep:
            out.append(line)
            if line.rstrip() == "  }":  # end of a function in the module
                keep = False
    return hashlib.sha256("\n".join(out).encode()).hexdigest()[:16], len(out)


def compile_weight(work, bins, n, k, bits, group, python):
    prefix = os.path.join(work, "w%d_g%d_%dx%d" % (bits, group, n, k))
    cmd = [python, os.path.join(HERE, "make_module.py"), prefix, "--n", str(n),
           "--k", str(k), "--bits", str(bits), "--group", str(group)]
    for m in ROWS:
        cmd += ["--m", str(m)]
    run_bench.run(cmd)
    sos, same_ir = {}, {}
    for route, options in ROUTES:
        digests = {}
        for build in BUILDS:
            ll = "%s.%s.%s.ll.mlir" % (prefix, build, route)
            so = "%s.%s.%s.so" % (prefix, build, route)
            run_bench.run([os.path.join(bins[build], "dq-opt"),
                           "--dq-cpu-pipeline=" + options, prefix + ".mlir",
                           "-o", ll])
            run_bench.run([os.path.join(bins[build], "dq-compile"), ll,
                           "-o", so])
            with open(ll) as f:
                text = f.read()
            digests[build] = dict(zip(("kernel_digest", "kernel_lines"),
                                      kernel_ir_digest(text)),
                                  module_digest=hashlib.sha256(
                                      text.encode()).hexdigest()[:16])
            os.remove(ll)
            sos[(build, route)] = so
        same_ir[route] = digests
    os.remove(prefix + ".mlir")
    return prefix, sos, same_ir


def time_dq(bin_dir, so, x, threads, runs):
    out = run_bench.run([os.path.join(bin_dir, "dq-run"), so, "--function",
                         "mm", "--input", x, "--threads", str(threads),
                         "--benchmark", str(runs)], env=run_bench.DQ_ENV)
    return run_bench.last_json(out)["median_us"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", required=True,
                    help="bin directory of the baseline build")
    ap.add_argument("--after", required=True,
                    help="bin directory of the build under test")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--runs", type=int, default=30,
                    help="calls per dq-run --benchmark (median taken)")
    ap.add_argument("--out", default=os.path.join(
        HERE, "results", "compare-builds.json"))
    ap.add_argument("--python", default=sys.executable)
    a = ap.parse_args()
    bins = {"before": os.path.abspath(a.before),
            "after": os.path.abspath(a.after)}
    for build in BUILDS:
        for tool in ("dq-opt", "dq-compile", "dq-run"):
            if not os.access(os.path.join(bins[build], tool), os.X_OK):
                sys.exit("compare_builds: %s not built" %
                         os.path.join(bins[build], tool))
    try:
        os.nice(-15)
    except OSError:
        log("compare_builds: cannot raise priority (not root)")

    n, k = SHAPE
    cases = []
    rounds_log = []
    with tempfile.TemporaryDirectory(prefix="dq-cmp-") as work:
        compiled = {}
        for bits, group in WEIGHTS:
            t0 = time.time()
            compiled[(bits, group)] = compile_weight(work, bins, n, k, bits,
                                                     group, a.python)
            log("compiled W%d g%d %dx%d with both builds in %.0f s; kernel "
                "IR %s" % (bits, group, n, k, time.time() - t0, {
                    r: "same" if d["before"]["kernel_digest"] ==
                    d["after"]["kernel_digest"] else "DIFFERENT"
                    for r, d in compiled[(bits, group)][2].items()}))
        samples = {}
        for r in range(a.rounds):
            order = BUILDS if r % 2 == 0 else BUILDS[::-1]
            load = loadavg()
            busy0, kids0, own0 = busy_seconds(), children_seconds(), \
                own_seconds()
            t0 = time.monotonic()
            for bits, group in WEIGHTS:
                prefix, sos, _ = compiled[(bits, group)]
                for threads in THREADS:
                    for m in ROWS:
                        x = "%s.m%d.x.npy" % (prefix, m)
                        for route, _ in ROUTES:
                            for build in order:
                                us = time_dq(bins[build], sos[(build, route)],
                                             x, threads, a.runs)
                                samples.setdefault(
                                    (bits, group, route, m, threads, build),
                                    []).append(us)
            wall = time.monotonic() - t0
            ours = (children_seconds() - kids0) + (own_seconds() - own0)
            others = max(0.0, busy_seconds() - busy0 - ours)
            rounds_log.append(dict(round=r + 1, order=list(order),
                                   loadavg_before=load, wall_s=wall,
                                   own_cpu_s=ours, others_cpu_s=others))
            log("  round %d (%s first) %.0f s, load before %s, others' CPU "
                "%.2f s" % (r + 1, order[0], wall, " ".join(load), others))
        for bits, group in WEIGHTS:
            same_ir = compiled[(bits, group)][2]
            for route, _ in ROUTES:
                for threads in THREADS:
                    for m in ROWS:
                        key = (bits, group, route, m, threads)
                        b = samples[key + ("before",)]
                        f = samples[key + ("after",)]
                        per_round = [y / x for x, y in zip(b, f)]
                        cases.append(dict(
                            n=n, k=k, bits=bits, group=group, route=route,
                            m=m, threads=threads, before_us=b, after_us=f,
                            before_median=statistics.median(b),
                            after_median=statistics.median(f),
                            ratio=statistics.median(f) / statistics.median(b),
                            round_ratio_min=min(per_round),
                            round_ratio_max=max(per_round),
                            same_kernel_ir=same_ir[route]["before"]
                            ["kernel_digest"] == same_ir[route]["after"]
                            ["kernel_digest"]))
    result = dict(command=" ".join(["bench/cpu/compare_builds.py"] +
                                   sys.argv[1:]),
                  date=time.strftime("%Y-%m-%d %H:%M:%S"),
                  cpu=run_bench.cpu_name(), rounds=a.rounds, runs=a.runs,
                  bins=bins, omp_wait_policy=run_bench.DQ_ENV[
                      "OMP_WAIT_POLICY"],
                  ir={"W%d g%d" % w: compiled[w][2] for w in WEIGHTS},
                  load=rounds_log, cases=cases)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out + ".tmp", "w") as f:
        json.dump(result, f, indent=1)
    os.replace(a.out + ".tmp", a.out)
    print_table(cases)
    return 0


def print_table(cases):
    print("| W g | route | M | thr | before µs median (min–max) | "
          "after µs median (min–max) | after/before | per-round ratios |")
    print("|---|---|---|---|---|---|---|---|")
    for c in cases:
        print("| W%d g%d | %s | %d | %d | %.1f (%.1f–%.1f) | %.1f (%.1f–%.1f) "
              "| %.3f | %.2f–%.2f |" % (
                  c["bits"], c["group"], c["route"], c["m"], c["threads"],
                  c["before_median"], min(c["before_us"]),
                  max(c["before_us"]), c["after_median"], min(c["after_us"]),
                  max(c["after_us"]), c["ratio"], c["round_ratio_min"],
                  c["round_ratio_max"]))


if __name__ == "__main__":
    sys.exit(main())
