#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/.

    .venv/bin/python3 fuzz/make_corpus.py

Seeds are small, valid or nearly valid inputs from which libFuzzer mutates;
the IR seeds are the functions of test/Dialect/DQ/*.mlir, one per file. The
output is deterministic, so re-running it changes nothing.
"""

import io
import os
import random
import re
import struct
import sys

import numpy as np

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(root, "scripts"))
import dqfiles  # noqa: E402

corpus = os.path.join(root, "fuzz", "corpus")


def put(target, name, data):
    folder = os.path.join(corpus, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def npy_bytes(array, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, array, allow_pickle=False)
    else:
        np.lib.format.write_array(buf, array, version=version,
                                  allow_pickle=False)
    return buf.getvalue()


def main():
    rng = np.random.default_rng(0)

    # .npy: every dtype dq reads, 0-d, empty, version 2.0, and the refused
    # kinds (Fortran order, big-endian) whose checks the fuzzer should reach.
    arrays = {
        "f32_2x3": rng.standard_normal((2, 3)).astype(np.float32),
        "f16_4": np.arange(4, dtype=np.float16),
        "f64_scalar": np.array(1.5),
        "i8_3x1x2": np.arange(-3, 3, dtype=np.int8).reshape(3, 1, 2),
        "i32_empty": np.zeros((0, 5), dtype=np.int32),
        "i64_1": np.array([7], dtype=np.int64),
        "u8_2x2": np.array([[1, 2], [3, 4]], dtype=np.uint8),
        "bool_3": np.array([True, False, True]),
    }
    for name, a in arrays.items():
        put("npy", name + ".npy", npy_bytes(a))
    put("npy", "f32_v2.npy", npy_bytes(arrays["f32_2x3"], version=(2, 0)))
    put("npy", "fortran.npy", npy_bytes(np.asfortranarray(
        rng.standard_normal((2, 3)).astype(np.float32))))
    put("npy", "big_endian.npy", npy_bytes(np.arange(3, dtype=">i4")))

    # safetensors: one and several tensors, metadata, 0-d and empty tensors.
    st = dqfiles.safetensors_bytes
    put("safetensors", "one_f32.safetensors",
        st({"w": rng.standard_normal((2, 3)).astype(np.float32)}))
    put("safetensors", "several.safetensors", st({
        "a": np.arange(4, dtype=np.int8),
        "b": np.ones((2, 2), dtype=np.float16),
        "c": np.array(3, dtype=np.int64),
        "d": np.zeros((0, 2), dtype=np.float64),
    }, {"producer": "make_corpus.py", "note": "x"}))
    put("safetensors", "empty.safetensors", st({}))
    # bf16 has no numpy dtype: write its header by hand.
    header = b'{"x":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}'
    header += b" " * ((8 - len(header) % 8) % 8)
    put("safetensors", "bf16.safetensors",
        struct.pack("<Q", len(header)) + header + b"\x80\x3f\x00\x40")

    # Statistics files: F64 and F32 Hessians, two layers, a [1] token count.
    def gram(k, t):
        x = rng.standard_normal((t, k))
        return x.T @ x / t

    put("stats", "two_layers.safetensors", st({
        "fc1.hessian": gram(3, 8), "fc1.tokens": np.array(8, dtype=np.int64),
        "fc2.hessian": gram(2, 5), "fc2.tokens": np.array(5, dtype=np.int64),
    }, {"format": "dq-calibration-stats", "format_version": "1",
        "producer": "make_corpus.py"}))
    put("stats", "f32.safetensors", st({
        "l.hessian": gram(2, 4).astype(np.float32),
        "l.tokens": np.array([4], dtype=np.int64),
    }, {"format": "dq-calibration-stats", "format_version": "1"}))
    put("stats", "singular.safetensors", st({
        "l.hessian": np.zeros((2, 2)), "l.tokens": np.array(1, np.int64),
    }, {"format": "dq-calibration-stats", "format_version": "1"}))

    # IR: each function or split of the dialect tests on its own.
    for test in ("ops", "invalid", "canonicalize"):
        with open(os.path.join(root, "test", "Dialect", "DQ",
                               test + ".mlir")) as f:
            text = f.read()
        parts = [p for p in re.split(r"^// -----$", text, flags=re.M)]
        if len(parts) == 1:
            parts = re.split(r"^(?=func\.func)", text, flags=re.M)
        count = 0
        for part in parts:
            lines = [l for l in part.splitlines()
                     if not l.lstrip().startswith("//")]
            body = "\n".join(lines).strip()
            if "dq." not in body or len(body) > 3000:
                continue
            put("ir", "%s_%02d.mlir" % (test, count), body + "\n")
            count += 1

    put("ir", "blobs.mlir", """\
func.func @f(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf16>)
         offset(dense_resource<z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  %d = dq.dequantize %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<2x4xf32>
  %y = dq.matmul %x, %w : tensor<2x4xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x01000000E41B",
      s: "0x02000000003C003C003C003C",
      z: "0x020000000000000000000000"
    }
  }
#-}
""")

    # Quantizer: FuzzedDataProvider reads options from the end and values
    # from the front, so random bytes of a few lengths are good seeds.
    gen = random.Random(0)
    for size in (16, 48, 96, 160, 256, 400):
        put("quant", "random_%03d" % size,
            bytes(gen.randrange(256) for _ in range(size)))


if __name__ == "__main__":
    main()
