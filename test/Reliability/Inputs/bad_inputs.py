"""Writes the inputs of quantize-errors.test into DIR: a one-layer float
module (layer "fc", W [2, 4]) and statistics files for it that are wrong in
one way each, plus a module whose weight holds an infinity.

  good.st      a valid statistics file (H = XᵀX/T, T = 16)
  nonpsd.st    symmetric, non-negative diagonal, every |H_ij| <= sqrt(H_ii
               H_jj), yet indefinite: no Cholesky factor even damped
  nan.st, inf.st   a NaN / an infinity in H
  asym.st      H_01 != H_10 far beyond rounding
  negdiag.st   a negative diagonal entry
  i32.st       the Hessian stored as I32
  tokens.st    the token count stored as F32
  zerotok.st   a token count of 0
  notstats.st  a safetensors file without the statistics metadata
  trunc.st     good.st cut short
  k3.st        K = 3 for a weight with K = 4
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "scripts"))
import dqfiles  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
META = {"format": "dq-calibration-stats", "format_version": "1"}

MODULE = """\
func.func @forward(%%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %%w = arith.constant dense<%s> : tensor<2x4xf32>
  %%zero = arith.constant 0.0 : f32
  %%e = tensor.empty() : tensor<3x2xf32>
  %%acc = linalg.fill ins(%%zero : f32) outs(%%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  %%y = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%%x, %%w : tensor<3x4xf32>, tensor<2x4xf32>) outs(%%acc : tensor<3x2xf32>) -> tensor<3x2xf32> loc("fc")
  return %%y : tensor<3x2xf32>
}
"""
with open(os.path.join(out, "model.mlir"), "w") as f:
    f.write(MODULE % "[[0.5, -1.0, 0.25, 2.0], [1.5, 0.0, -0.75, 1.0]]")
with open(os.path.join(out, "inf.mlir"), "w") as f:
    f.write(MODULE % "[[0.5, -1.0, 0.25, 2.0], [1.5, 0x7F800000, -0.75, 1.0]]")

rng = np.random.default_rng(5)
x = rng.standard_normal((16, 4))
good = x.T @ x / 16


def stats(name, hessian, tokens=np.array(16, np.int64), meta=META):
    dqfiles.write_safetensors(os.path.join(out, name),
                              {"fc.hessian": hessian, "fc.tokens": tokens},
                              meta)


stats("good.st", good)
stats("nonpsd.st", np.array([[1.0, 0.9, -0.9, 0.0], [0.9, 1.0, 0.9, 0.0],
                             [-0.9, 0.9, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]))
bad = good.copy()
bad[1, 2] = np.nan
stats("nan.st", bad)
bad = good.copy()
bad[3, 3] = np.inf
stats("inf.st", bad)
bad = good.copy()
bad[0, 1] += 0.5
stats("asym.st", bad)
bad = good.copy()
bad[2, 2] = -1.0
stats("negdiag.st", bad)
stats("i32.st", np.eye(4, dtype=np.int32))
stats("tokens.st", good, np.array(16.0, np.float32))
stats("zerotok.st", good, np.array(0, np.int64))
stats("notstats.st", good, meta={"format": "pt"})
stats("k3.st", np.eye(3))
with open(os.path.join(out, "good.st"), "rb") as f:
    data = f.read()
with open(os.path.join(out, "trunc.st"), "wb") as f:
    f.write(data[:len(data) - 40])
