#!/usr/bin/env python3
"""CPU matmul benchmark: dq's kernels against OpenBLAS fp32, the portable
lowering and the memory-bandwidth floor, measured in one run.

    run_bench.py [--quick] [--rounds R] [--runs N] [--out results.json]

For each weight (shape x bits x group) one module with a dynamic M is
compiled ahead of time three ways: --dq-cpu-pipeline (f32 route),
--dq-cpu-pipeline="activations=int8" and --dq-cpu-pipeline="kernels=false"
(the portable lowering). Every round then times, interleaved, each
implementation at each M and thread count with `dq-run --benchmark N`
(median of N calls), OpenBLAS sgemv/sgemm on the same shape
(bench/cpu/blas_bench.c) and a read-only pass over as many bytes as the
quantized weight occupies (bench/cpu/readbw.c). Reported figures are the
medians over rounds; ratios are taken within the run.

The floor of a call is (packed integer bytes + scale/offset bytes) / read
bandwidth. These weights (at most ~25 MB) fit in this machine's last-level
cache, and so does the read pass over the same bytes, so the ratio compares
like with like.
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
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.join(ROOT, "build", "bin")

SHAPES = [(4096, 4096), (11008, 4096), (4096, 11008)]
WEIGHTS = [(b, g) for b in (2, 4) for g in (64, 128)] + [(3, 64)]
ROWS = (1, 4, 16, 64)
THREADS = (1, 2)
QUICK_SHAPES = [(4096, 4096)]
QUICK_WEIGHTS = [(2, 64), (4, 64)]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, **kw)
    if r.returncode:
        sys.exit("run_bench: %s failed:\n%s" % (" ".join(cmd), r.stderr))
    return r.stdout


def last_json(text):
    return json.loads(text.strip().splitlines()[-1])


def weight_bytes(n, k, bits, group, scale_bytes=2):
    return n * k * bits // 8 + 2 * n * (k // group) * scale_bytes


def build_helpers(work):
    blas = os.path.join(work, "blas_bench")
    readbw = os.path.join(work, "readbw")
    run(["cc", "-O2", os.path.join(HERE, "blas_bench.c"), "-o", blas,
         "-lopenblas"])
    # -O3: the read loop must be vectorized to be a floor at all.
    run(["cc", "-O3", "-march=native", "-fopenmp",
         os.path.join(HERE, "readbw.c"), "-o", readbw])
    return blas, readbw


def blas_environment():
    """Debian's OpenBLAS does not recognise recent cores and falls back to
    its generic (Prescott) kernels; ask for its AVX-512 ones where the CPU
    has AVX-512 so that the baseline is OpenBLAS at its best."""
    env = dict(os.environ)
    if "OPENBLAS_CORETYPE" not in env and has_avx512():
        env["OPENBLAS_CORETYPE"] = "SkylakeX"
    return env


def compile_weight(work, n, k, bits, group, python, rows=ROWS):
    prefix = os.path.join(work, "w%d_g%d_%dx%d" % (bits, group, n, k))
    cmd = [python, os.path.join(HERE, "make_module.py"), prefix, "--n", str(n),
           "--k", str(k), "--bits", str(bits), "--group", str(group)]
    for m in rows:
        cmd += ["--m", str(m)]
    run(cmd)
    impls = {}
    for name, options in (("f32", ""), ("int8", "activations=int8"),
                          ("portable", "kernels=false")):
        ll = "%s.%s.ll.mlir" % (prefix, name)
        so = "%s.%s.so" % (prefix, name)
        run([os.path.join(BIN, "dq-opt"), "--dq-cpu-pipeline=" + options,
             prefix + ".mlir", "-o", ll])
        run([os.path.join(BIN, "dq-compile"), ll, "-o", so])
        os.remove(ll)
        impls[name] = so
    os.remove(prefix + ".mlir")
    return prefix, impls


# OpenMP workers spin between calls instead of yielding their core: the
# setting for latency-bound inference (llama.cpp's threads spin too), and
# on a shared machine it keeps another process's time slice from landing
# inside a 100 µs call. A user's own OMP_WAIT_POLICY wins.
DQ_ENV = dict(os.environ)
DQ_ENV.setdefault("OMP_WAIT_POLICY", "active")


def time_dq(so, x, threads, runs):
    out = run([os.path.join(BIN, "dq-run"), so, "--function", "mm", "--input",
               x, "--threads", str(threads), "--benchmark", str(runs)],
              env=DQ_ENV)
    return last_json(out)["median_us"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true",
                    help="4096x4096 at W2/W4 g64 only")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=30,
                    help="calls per dq-run --benchmark (median taken)")
    ap.add_argument("--out", default=os.path.join(HERE, "results",
                                                  "cpu-matmul.json"))
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--rows", default=",".join(map(str, ROWS)),
                    help="comma-separated M (rows of the activation) to time")
    a = ap.parse_args()
    try:
        m_rows = tuple(int(m) for m in a.rows.split(","))
    except ValueError:
        ap.error("--rows takes comma-separated integers, got %r" % a.rows)
    if not m_rows or min(m_rows) < 1:
        ap.error("--rows needs positive integers, got %r" % a.rows)
    for tool in ("dq-opt", "dq-compile", "dq-run"):
        if not os.access(os.path.join(BIN, tool), os.X_OK):
            sys.exit("run_bench: %s not built; run scripts/setup.sh first" %
                     os.path.join(BIN, tool))

    # Shared machines: ask for a larger share of the cores (root only).
    # With autogroup scheduling, nice values only count within a session.
    try:
        os.nice(-15)
    except OSError:
        log("run_bench: cannot raise priority (not root); timings may be "
            "noisier")
    try:
        if open("/proc/sys/kernel/sched_autogroup_enabled").read().strip() \
                == "1":
            log("run_bench: note: sched_autogroup_enabled=1, other sessions "
                "compete as equals whatever their nice value")
    except OSError:
        pass

    shapes = QUICK_SHAPES if a.quick else SHAPES
    weights = QUICK_WEIGHTS if a.quick else WEIGHTS
    blas_env = blas_environment()
    rows = []
    with tempfile.TemporaryDirectory(prefix="dq-bench-") as work:
        blas, readbw = build_helpers(work)
        for n, k in shapes:
            for bits, group in weights:
                t0 = time.time()
                prefix, impls = compile_weight(work, n, k, bits, group,
                                               a.python, m_rows)
                log("compiled W%d g%d %dx%d in %.0f s" %
                    (bits, group, n, k, time.time() - t0))
                nbytes = weight_bytes(n, k, bits, group)
                samples = {}
                for r in range(a.rounds):
                    for threads in THREADS:
                        bw = last_json(run([readbw, str(nbytes), str(threads),
                                            "200"]))["median_gbs"]
                        samples.setdefault(("bw", threads), []).append(bw)
                        for m in m_rows:
                            x = "%s.m%d.x.npy" % (prefix, m)
                            for name in ("f32", "int8"):
                                us = time_dq(impls[name], x, threads, a.runs)
                                samples.setdefault((name, m, threads),
                                                   []).append(us)
                            # The portable loops take seconds at large M.
                            if m == 1:
                                us = time_dq(impls["portable"], x, threads,
                                             max(3, a.runs // 10))
                                samples.setdefault(("portable", m, threads),
                                                   []).append(us)
                            blas_runs = a.runs if m <= 4 else max(5, a.runs // 3)
                            us = last_json(run([blas, str(n), str(k), str(m),
                                                str(threads), str(blas_runs)
                                                ], env=blas_env))["median_us"]
                            samples.setdefault(("blas", m, threads),
                                               []).append(us)
                    log("  round %d done" % (r + 1))
                med = {key: statistics.median(v) for key, v in samples.items()}
                for threads in THREADS:
                    bw = med[("bw", threads)]
                    floor = nbytes / (bw * 1e3)
                    for m in m_rows:
                        flops = 2.0 * m * n * k
                        row = dict(
                            n=n, k=k, bits=bits, group=group, m=m,
                            threads=threads, weight_bytes=nbytes,
                            read_gbs=bw, floor_us=floor,
                            f32_us=med[("f32", m, threads)],
                            int8_us=med[("int8", m, threads)],
                            blas_us=med[("blas", m, threads)],
                            portable_us=med.get(("portable", m, threads)))
                        row["f32_gflops"] = flops / row["f32_us"] * 1e-3
                        row["int8_gflops"] = flops / row["int8_us"] * 1e-3
                        row["blas_gflops"] = flops / row["blas_us"] * 1e-3
                        rows.append(row)
                        log("  M=%-3d t=%d  f32 %8.1f us  int8 %8.1f us  "
                            "blas %8.1f us  floor %7.1f us%s" % (
                                m, threads, row["f32_us"], row["int8_us"],
                                row["blas_us"], floor,
                                "  portable %.0f us" % row["portable_us"]
                                if row["portable_us"] else ""))
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(dict(command=" ".join(["bench/cpu/run_bench.py"] +
                                        sys.argv[1:]),
                       date=time.strftime("%Y-%m-%d %H:%M:%S"),
                       cpu=cpu_name(), rounds=a.rounds, runs=a.runs,
                       omp_wait_policy=DQ_ENV["OMP_WAIT_POLICY"],
                       openblas_coretype=blas_env.get("OPENBLAS_CORETYPE",
                                                      "auto"),
                       rows=rows), f, indent=1)
    os.replace(tmp, a.out)
    print_table(rows)
    return 0


def has_avx512():
    try:
        return "avx512f" in open("/proc/cpuinfo").read().split()
    except OSError:
        return False


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def print_table(rows):
    print("| shape NxK | W | g | M | thr | int8 µs | int8/floor | f32 µs | "
          "f32/floor | OpenBLAS µs | BLAS/int8 | BLAS/f32 | f32 GFLOP/s | "
          "BLAS GFLOP/s | portable/int8 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        port = ("%.1f×" % (r["portable_us"] / r["int8_us"])
                if r["portable_us"] else "")
        print("| %dx%d | %d | %d | %d | %d | %.1f | %.2f | %.1f | %.2f | %.1f "
              "| %.2f | %.2f | %.1f | %.1f | %s |" % (
                  r["n"], r["k"], r["bits"], r["group"], r["m"], r["threads"],
                  r["int8_us"], r["int8_us"] / r["floor_us"], r["f32_us"],
                  r["f32_us"] / r["floor_us"], r["blas_us"],
                  r["blas_us"] / r["int8_us"], r["blas_us"] / r["f32_us"],
                  r["f32_gflops"], r["blas_gflops"], port))


if __name__ == "__main__":
    sys.exit(main())
