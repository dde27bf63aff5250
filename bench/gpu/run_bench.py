#!/usr/bin/env python3
"""GPU benchmark of --dq-cuda-pipeline's matmul kernels (needs a CUDA GPU).

For the shapes [N, K] = 4096x4096, 11008x4096 and 4096x11008 at M in {1, 16,
64, 256}, bits {2, 4} and groups {64, 128} (f16 activations and scales) it
measures, in one run on one device:

  - dq: each function compiled twice by dq-opt --dq-cuda-pipeline, with
    repeat=1 and repeat=R (the matmul kernel launched R times per call);
    the kernel time is (median(R) - median(1)) / (R - 1) of `dq-run
    --device cuda --benchmark` (this removes the per-call copies, stream
    creation and synchronization that dq-run's timing includes); the call
    time (repeat=1) is reported too;
  - cuBLAS fp16 GEMM (f32 accumulation) on the same shapes, and the device's
    copy bandwidth, from bench/gpu/cublas_bench.cu compiled with nvcc.

Reported per case: kernel time, packed-weight bandwidth (weight bytes /
kernel time, and as a fraction of the copy bandwidth), TFLOP/s, and the
ratio to cuBLAS.

usage: run_bench.py [--build build] [--work /tmp/dq-gpu-bench] [--runs 30]
                    [--repeat 21] [--json results.json] [--quick]
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import dqgen  # noqa: E402

SHAPES = ((4096, 4096), (11008, 4096), (4096, 11008))
ROWS = (1, 16, 64, 256)
BITS = (2, 4)
GROUPS = (64, 128)
CHUNK = {2: 64, 3: 32, 4: 32, 8: 16}


def weight_bytes(n, k, bits, group):
    chunks = k // group * -(-group // CHUNK[bits])
    words = 3 if bits == 3 else 4
    return n * chunks * words * 4 + 2 * n * (k // group) * 2


def write_module(path, n, k, bits, group, rows):
    rng = np.random.default_rng(n * 7 + k + bits * 3 + group)
    lo, hi = dqgen.qrange(bits)
    q = rng.integers(lo, hi + 1, size=(n, k))
    s = dqgen.round_to(rng.uniform(0.005, 0.05, size=(n, k // group)), "f16")
    z = dqgen.round_to(rng.uniform(-0.1, 0.1, size=(n, k // group)), "f16")
    res = dqgen.Resources()
    wt = dqgen.weight_type(n, k, bits, group, "f16")
    const = dqgen.dq_constant(res, "w", "w", q, s, z, bits, group, "f16",
                              indent="    ")
    lines = ["module {"]
    for m in rows:
        xt = "tensor<%dx%dxf16>" % (m, k)
        yt = "tensor<%dx%dxf16>" % (m, n)
        lines += ["  func.func @f_m%d(%%x: %s) -> %s {" % (m, xt, yt), const,
                  "    %%y = dq.matmul %%x, %%w : %s, %s -> %s" % (xt, wt, yt),
                  "    return %%y : %s" % yt, "  }"]
    lines += ["}", res.text()]
    dqgen.write_atomic(path, "\n".join(lines))


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode:
        sys.exit("run_bench: %s failed:\n%s" % (" ".join(cmd), r.stderr))
    return r.stdout


def dq_median_us(dqrun, module, function, x, runs):
    out = run([dqrun, module, "--device", "cuda", "--function", function,
               "--input", x, "--benchmark", str(runs), "--warmup", "5"])
    return json.loads(out.strip().splitlines()[-1])["median_us"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(HERE, "..", "..", "build"))
    ap.add_argument("--work", default="/tmp/dq-gpu-bench")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=21)
    ap.add_argument("--json", default=None)
    ap.add_argument("--quick", action="store_true",
                    help="only 4096x4096, M in {1, 64}, 4 bits, groups of 128")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    dqopt = os.path.join(args.build, "bin", "dq-opt")
    dqrun = os.path.join(args.build, "bin", "dq-run")
    shapes, rows, bits_list, groups = SHAPES, ROWS, BITS, GROUPS
    if args.quick:
        shapes, rows, bits_list, groups = SHAPES[:1], (1, 64), (4,), (128,)

    cublas = os.path.join(args.work, "cublas_bench")
    nvcc = os.path.join(os.environ.get("CUDA_HOME", "/usr/local/cuda"), "bin",
                        "nvcc")
    run([nvcc, "-O2", "-o", cublas, os.path.join(HERE, "cublas_bench.cu"),
         "-lcublas"])
    triples = []
    for n, k in shapes:
        for m in rows:
            triples += [str(m), str(n), str(k)]
    base = [json.loads(l) for l in run([cublas] + triples).splitlines()]
    cublas_us = {(b["m"], b["n"], b["k"]): b["median_us"]
                 for b in base if b["kind"] == "cublas"}
    copy_gbps = [b["gbps"] for b in base if b["kind"] == "copy"][0]

    results = []
    for n, k in shapes:
        for bits in bits_list:
            for group in groups:
                name = "n%d_k%d_w%d_g%d" % (n, k, bits, group)
                src = os.path.join(args.work, name + ".mlir")
                write_module(src, n, k, bits, group, rows)
                lowered = {}
                for rep in (1, args.repeat):
                    lowered[rep] = os.path.join(args.work,
                                                "%s.r%d.ll.mlir" % (name, rep))
                    run([dqopt, "--dq-cuda-pipeline=repeat=%d" % rep, src,
                         "-o", lowered[rep]])
                for m in rows:
                    x = os.path.join(args.work, "x_m%d_k%d.npy" % (m, k))
                    np.save(x, np.random.default_rng(m).standard_normal(
                        (m, k)).astype(np.float16))
                    t1 = dq_median_us(dqrun, lowered[1], "f_m%d" % m, x,
                                      args.runs)
                    tr = dq_median_us(dqrun, lowered[args.repeat], "f_m%d" % m,
                                      x, args.runs)
                    kernel = (tr - t1) / (args.repeat - 1)
                    wbytes = weight_bytes(n, k, bits, group)
                    r = dict(n=n, k=k, m=m, bits=bits, group=group,
                             route="gemv" if m <= 8 else "gemm",
                             call_us=t1, kernel_us=kernel,
                             weight_gbps=wbytes / kernel / 1e3,
                             tflops=2.0 * m * n * k / kernel / 1e6,
                             cublas_us=cublas_us[m, n, k],
                             vs_cublas=cublas_us[m, n, k] / kernel,
                             copy_gbps=copy_gbps)
                    results.append(r)
                    print("%5dx%-5d M=%-3d w%d g%-3d %s  call %8.1f us  kernel "
                          "%8.2f us  %7.1f GB/s (%4.0f%% of copy)  %6.2f "
                          "TFLOP/s  cuBLAS fp16 %8.2f us (%.2fx)" % (
                              n, k, m, bits, group, r["route"], t1, kernel,
                              r["weight_gbps"],
                              100 * r["weight_gbps"] / copy_gbps, r["tflops"],
                              r["cublas_us"], r["vs_cublas"]), flush=True)
    print("device copy bandwidth: %.1f GB/s" % copy_gbps)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(copy_gbps=copy_gbps, results=results), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
