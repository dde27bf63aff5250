"""Runs the functions of host_linalg.mlir (lowered by --dq-cpu-pipeline)
through dq-run on fresh random inputs and checks every result against
float64 numpy, with bounds from rounding-error analysis:

- a dot product of n f32 terms accumulated in f32 (FMA or not) is within
  gamma_n * sum|a*b| of the exact one, gamma_n = n*u / (1 - n*u),
  u = 2^-24 (Higham, Accuracy and Stability, 3.1);
- each further f32 operation adds a relative u;
- exp and erf may come from upstream's polynomial approximations
  (--dq-vectorize-linalg-cpu, approximate-math) instead of libm: they are
  held to 4 ulp relative for exp (|rel| <= 2^-21) and 2^-21 absolute for
  erf, the accuracy a transformer's softmax and GELU can spend without
  exceeding the f32 matmul noise around them.

    check_host_linalg.py DQ_RUN MODULE WORKDIR
"""
import os
import subprocess
import sys

import numpy as np

U = 2.0 ** -24
EXP_REL = 2.0 ** -21
ERF_ABS = 2.0 ** -21

dq_run, module, work = sys.argv[1:4]
seed = int.from_bytes(os.urandom(4), "little")
rng = np.random.default_rng(seed)
failures = []


def gamma(n):
    return n * U / (1 - n * U)


def run(func, *inputs):
    args = [dq_run, module, "--function", func]
    for i, x in enumerate(inputs):
        path = os.path.join(work, "%s.in%d.npy" % (func, i))
        np.save(path, x)
        args += ["--input", path]
    out = os.path.join(work, func + ".out.npy")
    subprocess.run(args + ["--output", out], check=True)
    return np.load(out).astype(np.float64)


def check(name, got, want, bound):
    err = np.abs(got - want)
    bad = ~(err <= bound)
    if bad.any():
        i = np.unravel_index(int(np.argmax(bad)), got.shape)
        failures.append("%s: at %s got %r want %r (bound %.3g)" %
                        (name, i, got[i], want[i], bound[i]))
    else:
        print("%s: %d elements within bound (worst %.3g of it)" %
              (name, got.size, float(np.max(err / np.maximum(bound, 1e-300)))))


def f32(shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


# Contractions.
a, b = f32((24, 36)), f32((36, 40))
A, B = a.astype(np.float64), b.astype(np.float64)
check("matmul", run("matmul", a, b), A @ B, gamma(36) * (np.abs(A) @ np.abs(B)))

q, k = f32((3, 16, 8)), f32((3, 32, 8))
scale = float(np.float32(0.353553385))
Q, K = q.astype(np.float64) * scale, k.astype(np.float64)
want = np.einsum("bmk,bnk->bmn", Q, K)
bound = (gamma(8) + U * (1 + gamma(8))) * np.einsum("bmk,bnk->bmn",
                                                      np.abs(Q), np.abs(K))
check("scores", run("scores", q, k), want, bound)

p, v = f32((3, 16, 32)), f32((3, 32, 8))
P, V = p.astype(np.float64), v.astype(np.float64)
check("batch_matmul", run("batch_matmul", p, v), P @ V,
      gamma(32) * (np.abs(P) @ np.abs(V)))

# Softmax: x - max is rounded (relative u, which exp turns into an absolute
# u*|x - max| of its argument), exp, a sum of 128 positive terms, a divide.
x = f32((4, 8, 128), 2.0)
X = x.astype(np.float64)
d = X - X.max(-1, keepdims=True)
want = np.exp(d) / np.exp(d).sum(-1, keepdims=True)
rel = (U * np.abs(d) + EXP_REL) * 2 + gamma(128) + 2 * U
check("softmax", run("softmax", x), want, rel * want)

# Layer normalization, first-order error propagation:
#   mean: gamma_384 * mean|x| + u|mean|;  c = x - mean: + u|c|;
#   variance: relative gamma_384 + 2u, plus 2*sum|c|*err_c / sum c^2;
#   rsqrt (1/sqrt): relative 1/2 of the variance's + 2u;
#   then three roundings of the output terms.
x = f32((16, 384), 3.0) + 0.5
g, bb = f32(384), f32(384)
X, G, BB = x.astype(np.float64), g.astype(np.float64), bb.astype(np.float64)
mean = X.mean(-1, keepdims=True)
c = X - mean
var = (c * c).mean(-1, keepdims=True)
eps = float(np.float32(9.99999996e-13))
rs = 1.0 / np.sqrt(var + eps)
want = c * rs * G + BB
err_mean = gamma(384) * np.abs(X).mean(-1, keepdims=True) + U * np.abs(mean)
err_c = err_mean + U * np.abs(c)
rel_var = (gamma(384) + 3 * U +
           2 * (np.abs(c) * err_c).sum(-1, keepdims=True) /
           (c * c).sum(-1, keepdims=True))
rel_rs = rel_var / 2 + 2 * U
bound = (np.abs(G) * rs * (err_c + np.abs(c) * (rel_rs + 2 * U)) +
         U * np.abs(want) + U * np.abs(c * rs * G))
check("layernorm", run("layernorm", x, g, bb), want, bound)

# GELU: s = x*c rounded (erf' <= 2/sqrt(pi) turns it absolute), erf, 1 + .,
# x/2 exact, the product rounded.
x = f32((8, 1536), 2.0)
X = x.astype(np.float64)
c2 = float(np.float32(0.707106769))
import math  # noqa: E402
erf = np.vectorize(math.erf)
s = X * c2
p = 1 + erf(s)
want = 0.5 * X * p
bound = 0.5 * np.abs(X) * (1.13 * U * np.abs(s) + ERF_ABS + U + U * p) + \
    U * np.abs(want)
check("gelu", run("gelu", x), want, bound)

# A variance whose mean is read inside the reduction: each term
# (x - m)^2 is within 3 roundings, then a sum of 384 nonnegative terms.
x = f32((16, 384), 2.0)
m = f32((16, 1))
terms = (x.astype(np.float64) - m.astype(np.float64)) ** 2
check("variance", run("variance", x, m), terms.sum(1, keepdims=True),
      gamma(387) * terms.sum(1, keepdims=True))

# Exact data movement, and a sum gated by a mask.
ids = rng.integers(0, 50, (2, 16)).astype(np.int64)
table = f32((50, 64))
check("gather", run("gather", ids, table), table[ids].astype(np.float64),
      np.zeros((2, 16, 64)))
ids = rng.integers(0, 3, (2, 4160)).astype(np.int64)
x = f32((4160, 16))
terms = np.where((ids != 0)[:, :, None], x.astype(np.float64)[None], 0.0)
check("mask", run("mask", ids, x), terms.sum(1),
      gamma(4160) * np.abs(terms).sum(1))

# The approximated functions over the ranges a model feeds them.
x = np.linspace(-87.0, 88.0, 8192).astype(np.float32)
want = np.exp(x.astype(np.float64))
check("exp", run("exp", x), want, (EXP_REL + U) * want)
x = np.linspace(-6.0, 6.0, 8192).astype(np.float32)
check("erf", run("erf", x), erf(x.astype(np.float64)),
      np.full(8192, ERF_ABS + U))

if failures:
    sys.exit("seed %d:\n%s" % (seed, "\n".join(failures)))
print("host linalg: all checks passed (seed %d)" % seed)
