#!/usr/bin/env python3
"""all-MiniLM-L6-v2 compiled by two dq builds, timed interleaved in one run:
the after/before ratio of the dq rows of docs/minilm.md's speed table.

    compare_builds.py --before OLD/build --after NEW/build
                      --stats W2G64-DECOUPLEQ.stats.safetensors
                      [--work DIR] [--rounds R] [--runs N] [--json OUT]

The model is exported at [1, 128] and [8, 128] and quantized once, W2 g64
decoupleQ with the given statistics (run_minilm.py --stats-only --configs
w2g64 --methods decoupleq writes them), by the --after build's
dq-opt --dq-quantize: the same quantized module text is the input of both
builds. Each build's own dq-opt --dq-cpu-pipeline (f32 route) and
--dq-cpu-pipeline="activations=int8" (int8 route) and dq-compile compile
it, and each build's dq-run --benchmark N times one forward call on the
first held-out sentences, 2 threads, as run_minilm.py does. Every round
times each (batch, route) with both builds back to back, their order
swapped every round. Both builds' embeddings of 8 sentences are compared
once (max |difference|).

Load: /proc/loadavg before each round and the CPU time other processes
took during it (machine busy time less this script's own and its
children's), as bench/cpu/compare_builds.py records it.
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "examples", "minilm"))
sys.path.insert(0, os.path.join(ROOT, "bench", "cpu"))

import numpy as np  # noqa: E402

import compare_builds as cpu_cmp  # noqa: E402  (load helpers)
import run_minilm  # noqa: E402

BUILDS = ("before", "after")
ROUTES = (("f32", ""), ("int8", "activations=int8"))
BATCHES = (1, 8)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", required=True,
                    help="baseline build directory")
    ap.add_argument("--after", required=True,
                    help="build directory under test")
    ap.add_argument("--stats", required=True)
    ap.add_argument("--work", default="/tmp/dq-minilm-compare")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--json", default=os.path.join(
        HERE, "results", "compare-builds.json"))
    a = ap.parse_args()
    tools = {"before": run_minilm.Tools(os.path.abspath(a.before)),
             "after": run_minilm.Tools(os.path.abspath(a.after))}
    os.makedirs(a.work, exist_ok=True)
    try:
        os.nice(-15)
    except OSError:
        log("compare_builds: cannot raise priority (not root)")

    log("==> export (cached in %s) and quantization with the after build"
        % a.work)
    quantized = {}
    for b in BATCHES:
        src = run_minilm.export(tools["after"], a.work, b)
        q = os.path.join(a.work, "w2g64-decoupleq.b%d.mlir" % b)
        if not os.path.exists(q):
            run_minilm.quantize_module(tools["after"], src, a.stats,
                                       "decoupleq", 2, 64, q)
        quantized[b] = q

    sos = {}
    compile_s = {}
    for build in BUILDS:
        for route, options in ROUTES:
            for b in BATCHES:
                so = os.path.join(a.work, "w2g64-decoupleq.b%d.%s.%s.so" %
                                  (b, route, build))
                t0 = time.time()
                run_minilm.compile_module(tools[build], quantized[b], so,
                                          options)
                compile_s["%s|%s|%d" % (build, route, b)] = time.time() - t0
                sos[(build, route, b)] = so
                log("    compiled %s %s batch %d in %.0f s" %
                    (build, route, b, time.time() - t0))

    texts, ids, mask = run_minilm.evaluation_inputs(8)
    diffs = {}
    for route, _ in ROUTES:
        y = {build: run_minilm.run_dq(tools[build], sos[(build, route, 8)],
                                      ids[:8], mask[:8], a.work, 8)
             for build in BUILDS}
        diffs[route] = float(np.abs(y["after"] - y["before"]).max())
        log("    %s route: max |after - before| of 8 embeddings %.3g" %
            (route, diffs[route]))

    log("==> timing: %d rounds of dq-run --benchmark %d, %d threads" %
        (a.rounds, a.runs, run_minilm.THREADS))
    samples, rounds_log = {}, []
    for r in range(a.rounds):
        order = BUILDS if r % 2 == 0 else BUILDS[::-1]
        load = cpu_cmp.loadavg()
        busy0 = cpu_cmp.busy_seconds()
        ours0 = cpu_cmp.children_seconds() + cpu_cmp.own_seconds()
        t0 = time.monotonic()
        for b in BATCHES:
            for route, _ in ROUTES:
                for build in order:
                    ms = run_minilm.time_dq(tools[build],
                                            sos[(build, route, b)], ids[:b],
                                            mask[:b], a.work, a.runs)
                    samples.setdefault((route, b, build), []).append(ms)
        wall = time.monotonic() - t0
        ours = cpu_cmp.children_seconds() + cpu_cmp.own_seconds() - ours0
        others = max(0.0, cpu_cmp.busy_seconds() - busy0 - ours)
        rounds_log.append(dict(round=r + 1, order=list(order),
                               loadavg_before=load, wall_s=wall,
                               own_cpu_s=ours, others_cpu_s=others))
        log("  round %d (%s first) %.0f s, load before %s, others' CPU "
            "%.2f s" % (r + 1, order[0], wall, " ".join(load), others))

    cases = []
    for b in BATCHES:
        for route, _ in ROUTES:
            bf = samples[(route, b, "before")]
            af = samples[(route, b, "after")]
            per_round = [y / x for x, y in zip(bf, af)]
            cases.append(dict(config="w2g64", method="decoupleq", route=route,
                              batch=b, before_ms=bf, after_ms=af,
                              before_median=statistics.median(bf),
                              after_median=statistics.median(af),
                              ratio=statistics.median(af) /
                              statistics.median(bf),
                              round_ratio_min=min(per_round),
                              round_ratio_max=max(per_round)))
    result = dict(command=" ".join(["bench/minilm/compare_builds.py"] +
                                   sys.argv[1:]),
                  date=time.strftime("%Y-%m-%d %H:%M:%S"),
                  cpu=cpu_cmp.run_bench.cpu_name(), threads=run_minilm.THREADS,
                  seq=run_minilm.SEQ, rounds=a.rounds, runs=a.runs,
                  builds={k: t.bin for k, t in tools.items()},
                  compile_s=compile_s, max_abs_diff_after_before=diffs,
                  load=rounds_log, cases=cases)
    os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
    with open(a.json + ".tmp", "w") as f:
        json.dump(result, f, indent=1)
    os.replace(a.json + ".tmp", a.json)

    print("| dq W2 g64 decoupleQ | batch | before ms median (min–max) | "
          "after ms median (min–max) | after/before | per-round ratios |")
    print("|---|---|---|---|---|---|")
    for c in cases:
        print("| %s route | %d | %.1f (%.1f–%.1f) | %.1f (%.1f–%.1f) | %.3f | "
              "%.2f–%.2f |" % (
                  c["route"], c["batch"], c["before_median"],
                  min(c["before_ms"]), max(c["before_ms"]), c["after_median"],
                  min(c["after_ms"]), max(c["after_ms"]), c["ratio"],
                  c["round_ratio_min"], c["round_ratio_max"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
