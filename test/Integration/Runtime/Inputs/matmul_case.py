"""Writes a dq.matmul test case for dq-run, with numpy only.

usage: matmul_case.py OUT_PREFIX --bits B --group G --n N --k K
                      [--batch-shape 3 | 2x3] [--act-type f32|f16|bf16]
                      [--scale-type f32|f16|bf16] [--seed S]
                      [--weight-argument]

Writes OUT_PREFIX.mlir, a module whose public function
`@matmul(%x) -> %y` computes y = x @ W.T with a random decoupled weight W
(scripts/dqgen.py's generator), the activation as OUT_PREFIX.x.npy
(OUT_PREFIX.x.safetensors, tensor "x", for bf16, which .npy cannot hold),
and the float64 reference as OUT_PREFIX.npz for scripts/check_matmul.py.
With --weight-argument the dq.matmul sits in a private function that takes
the weight as an argument, called from @matmul.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "..", "scripts"))
import dqgen  # noqa: E402


def write_safetensors(path, name, dtype, shape, data):
    """A minimal safetensors file with one tensor (test-side writer)."""
    header = json.dumps({name: {"dtype": dtype, "shape": list(shape),
                                "data_offsets": [0, len(data)]}}).encode()
    header += b" " * (-len(header) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header + data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("prefix")
    ap.add_argument("--bits", type=int, required=True)
    ap.add_argument("--group", type=int, required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--batch-shape", default="3")
    ap.add_argument("--act-type", default="f32")
    ap.add_argument("--scale-type", default="f32")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--weight-argument", action="store_true")
    a = ap.parse_args()

    batch = dqgen.parse_batch_shape(a.batch_shape)
    _, arrays = dqgen.make_matmul_test(a.bits, a.group, a.n, a.k, batch,
                                       a.act_type, a.scale_type, a.seed)
    res = dqgen.Resources()
    xtype = dqgen.tensor_type(batch + (a.k,), a.act_type)
    ytype = dqgen.tensor_type(batch + (a.n,), a.act_type)
    wtype = dqgen.weight_type(a.n, a.k, a.bits, a.group, a.scale_type)
    matmul = "    %%y = dq.matmul %%x, %%w : %s, %s -> %s" % (xtype, wtype,
                                                           ytype)
    lines = ["module {"]
    if a.weight_argument:
        lines += [
            "  func.func private @apply(%%x: %s, %%w: %s) -> %s {" %
            (xtype, wtype, ytype),
            matmul,
            "    return %y : " + ytype,
            "  }",
        ]
        matmul = ("    %%y = func.call @apply(%%x, %%w) : (%s, %s) -> %s" %
                  (xtype, wtype, ytype))
    lines += [
        "  func.func @matmul(%%x: %s) -> %s {" % (xtype, ytype),
        dqgen.dq_constant(res, "w", "w", arrays["q"], arrays["s"],
                          arrays["z"], a.bits, a.group, a.scale_type,
                          indent="    "),
        matmul,
        "    return %y : " + ytype,
        "  }",
        "}",
        res.text(),
    ]
    with open(a.prefix + ".mlir", "w") as f:
        f.write("\n".join(lines))
    x = arrays["x"]
    if a.act_type == "bf16":
        write_safetensors(a.prefix + ".x.safetensors", "x", "BF16", x.shape,
                          dqgen.float_bytes(x, "bf16"))
    else:
        np.save(a.prefix + ".x.npy",
                x.astype({"f32": np.float32, "f16": np.float16}[a.act_type]))
    np.savez(a.prefix + ".npz", **arrays)


if __name__ == "__main__":
    main()
