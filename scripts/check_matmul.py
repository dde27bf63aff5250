#!/usr/bin/env python3
"""Checks a computed dq.matmul result against the float64 reference.

    check_matmul.py REF.npz OUTPUT [--int8-route]

REF.npz comes from `dqgen.py matmul-test` (reference y, and absum =
sum_k |x_k| (|W_nk| + |s q|_nk)). OUTPUT is a .npy written by dq-run, or the
text printed by printMemrefF32 (mlir-runner).

Tolerance, per element (a rigorous bound, not a fitted one):

  * dequantize in f32: w = fl(fl(s*q) + z) is within u (|s q| + |W|) of W;
  * the K products and K-1 sums in f32, in any order, add at most
    gamma_K * sum |x||w| <= K u (1 + O(Ku)) * sum |x||w|;
  so |y32 - y| <= (K + 2) u * absum (u = 2^-24, f32 accumulation), plus
  * rounding the result to the activation type: u_act |y| (2^-11 f16,
    2^-8 bf16, 2^-24 f32);
  * printing (text output only): printMemrefF32 keeps 6 significant digits,
    i.e. a relative error of at most 5e-6.
A 1% margin covers the O(K u^2) terms. Exits 1 and names the worst element
when any element is outside its bound.
"""

import argparse
import re
import sys

import numpy as np

UNIT_ROUNDOFF = {"f32": 2.0 ** -24, "f16": 2.0 ** -11, "bf16": 2.0 ** -8}


def read_printed(path, count):
    text = open(path).read()
    if "data =" not in text:
        sys.exit("check_matmul: error: %s has no printed memref" % path)
    body = text[text.index("data =") + len("data ="):]
    numbers = re.findall(
        r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?nan|[-+]?inf", body)
    if len(numbers) < count:
        sys.exit("check_matmul: error: %s has %d numbers, expected %d" %
                 (path, len(numbers), count))
    return np.array([float(v) for v in numbers[:count]]), 5e-6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ref")
    ap.add_argument("output")
    args = ap.parse_args()

    ref = np.load(args.ref)
    y, absum = ref["y"], ref["absum"]
    act = str(ref["act"])
    k = ref["x"].shape[-1]
    if args.output.endswith(".npy"):
        got = np.load(args.output).astype(np.float64)
        if got.shape != y.shape:
            sys.exit("check_matmul: error: output shape %s, expected %s" %
                     (got.shape, y.shape))
        got, printing = got.ravel(), 0.0
    else:
        got, printing = read_printed(args.output, y.size)
    y, absum = y.ravel(), absum.ravel()

    u = 2.0 ** -24
    bound = ((k + 2) * u * absum + UNIT_ROUNDOFF[act] * np.abs(y) +
             printing * np.abs(got)) * 1.01
    err = np.abs(got - y)
    bad = ~(err <= bound)  # NaN counts as bad
    worst = int(np.argmax(np.where(np.isnan(err), np.inf, err / bound)))
    print("check_matmul: %d elements, max err %.3g, max err/bound %.3g" %
          (y.size, np.nanmax(err) if err.size else 0.0,
           float(err[worst] / bound[worst]) if err.size else 0.0))
    if bad.any():
        print("check_matmul: FAIL: %d elements outside the bound; worst #%d: "
              "got %r, want %r, bound %.3g" % (
                  int(bad.sum()), worst, float(got[worst]), float(y[worst]),
                  float(bound[worst])), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
