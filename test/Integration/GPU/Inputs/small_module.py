"""Writes a module with one dq.matmul: y = x @ W.T, x f16 [2, 64], W 4-bit,
groups of 32, 3 rows (scripts/dqgen.py), and the input x.npy.

usage: small_module.py OUT.mlir X.npy
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "..", "scripts"))
import dqgen  # noqa: E402

rng = np.random.default_rng(11)
q = rng.integers(-8, 8, size=(3, 64))
s = dqgen.round_to(rng.uniform(0.01, 0.05, size=(3, 2)), "f16")
z = dqgen.round_to(rng.uniform(-0.1, 0.1, size=(3, 2)), "f16")
res = dqgen.Resources()
wt = dqgen.weight_type(3, 64, 4, 32, "f16")
text = "\n".join([
    "func.func @f(%x: tensor<2x64xf16>) -> tensor<2x3xf16> {",
    dqgen.dq_constant(res, "w", "w", q, s, z, 4, 32, "f16"),
    "  %%y = dq.matmul %%x, %%w : tensor<2x64xf16>, %s -> tensor<2x3xf16>" % wt,
    "  return %y : tensor<2x3xf16>",
    "}",
    res.text()])
dqgen.write_atomic(sys.argv[1], text)
np.save(sys.argv[2], rng.standard_normal((2, 64)).astype(np.float16))
