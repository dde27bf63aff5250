#!/usr/bin/env python3
"""Writes a benchmark module: `@mm(%x: tensor<?xKxf32>) -> tensor<?xNxf32>`
computing one dq.matmul with a random decoupled weight (scripts/dqgen.py),
plus activations OUT_PREFIX.m<M>.x.npy for each requested M.

    make_module.py OUT_PREFIX --n N --k K --m M [--m M ...] --bits B
                   --group G [--copies C] [--seed S]

With --copies C > 1 the function takes C weights of the same shape and
returns the sum of the C products: a call then streams C times the weight
bytes, so that a benchmark can read more weight memory than the caches
hold (a language model's layers do not fit in L3 either).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts"))
import dqgen  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("prefix")
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--m", type=int, action="append", required=True)
    ap.add_argument("--bits", type=int, required=True)
    ap.add_argument("--group", type=int, required=True)
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--scale-type", default="f16")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    rng = np.random.default_rng(a.seed)
    res = dqgen.Resources()
    lo, hi = dqgen.qrange(a.bits)
    xt = "tensor<?x%dxf32>" % a.k
    yt = "tensor<?x%dxf32>" % a.n
    wt = dqgen.weight_type(a.n, a.k, a.bits, a.group, a.scale_type)
    lines = ["func.func @mm(%%x: %s) -> %s {" % (xt, yt)]
    for c in range(a.copies):
        q = rng.integers(lo, hi + 1, size=(a.n, a.k))
        g = a.k // a.group
        s = dqgen.round_to(rng.uniform(0.01, 0.02, size=(a.n, g)),
                           a.scale_type)
        z = dqgen.round_to(rng.uniform(-0.02, 0.02, size=(a.n, g)),
                           a.scale_type)
        lines.append(dqgen.dq_constant(res, "w%d" % c, "w%d" % c, q, s, z,
                                       a.bits, a.group, a.scale_type))
        lines.append("  %%y%d = dq.matmul %%x, %%w%d : %s, %s -> %s" %
                     (c, c, xt, wt, yt))
        if c:
            lines.append("  %%a%d = arith.addf %%%s, %%y%d : %s" %
                         (c, "y0" if c == 1 else "a%d" % (c - 1), c, yt))
    last = "y0" if a.copies == 1 else "a%d" % (a.copies - 1)
    lines += ["  return %%%s : %s" % (last, yt), "}", res.text()]
    dqgen.write_atomic(a.prefix + ".mlir", "\n".join(lines))
    for m in a.m:
        x = rng.standard_normal((m, a.k)).astype(np.float32)
        np.save("%s.m%d.x.npy" % (a.prefix, m), x)


if __name__ == "__main__":
    main()
