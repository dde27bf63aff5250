"""Checks a dq-quant output independently of dq (numpy only).

  check_output.py OUT.safetensors W.npy H.npy STDOUT.txt METHOD BITS GROUP [SCALE]

Parses the safetensors header by hand, checks names, dtypes and shapes,
the integer range, that row_error equals (ŵ-w)ᵀH(ŵ-w) (and row_energy wᵀHw)
recomputed here from
the dequantized weights in float64, and that the last stdout line is JSON
whose normalized_error matches. Prints the normalized error.
"""
import json
import struct
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    types = {"I8": np.int8, "F16": np.float16, "F32": np.float32,
             "F64": np.float64}
    out = {}
    for name, e in header.items():
        b, en = e["data_offsets"]
        raw = data[base + b: base + en]
        if e["dtype"] == "BF16":
            bits = np.frombuffer(raw, np.uint16).astype(np.uint32) << 16
            arr = bits.view(np.float32)
        else:
            arr = np.frombuffer(raw, types[e["dtype"]])
        out[name] = (e["dtype"], arr.reshape(e["shape"]))
    return out, meta


def main():
    out_path, w_path, h_path, stdout_path, method, bits, group = sys.argv[1:8]
    scale = sys.argv[8] if len(sys.argv) > 8 else "f16"
    bits, group = int(bits), int(group)
    w = np.load(w_path).astype(np.float64)
    h = np.load(h_path).astype(np.float64)
    n, k = w.shape
    g = k if group == -1 else group
    t, meta = read_safetensors(out_path)
    want_dtype = {"f16": "F16", "bf16": "BF16", "f32": "F32"}[scale]
    assert sorted(t) == ["offset", "q", "row_energy", "row_error",
                         "scale"], sorted(t)
    assert t["q"][0] == "I8" and t["q"][1].shape == (n, k)
    assert t["scale"][0] == want_dtype and t["scale"][1].shape == (n, k // g)
    assert t["offset"][0] == want_dtype and t["offset"][1].shape == (n, k // g)
    assert t["row_error"][0] == "F64" and t["row_error"][1].shape == (n,)
    assert t["row_energy"][0] == "F64" and t["row_energy"][1].shape == (n,)
    assert meta["method"] == method and meta["bits"] == str(bits), meta
    q = t["q"][1].astype(np.float64)
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    assert q.min() >= lo and q.max() <= hi, (q.min(), q.max())
    s = np.repeat(t["scale"][1].astype(np.float64), g, axis=1)
    z = np.repeat(t["offset"][1].astype(np.float64), g, axis=1)
    r = s * q + z - w
    err = np.einsum("nk,kl,nl->n", r, h, r)
    energy = np.einsum("nk,kl,nl->", w, h, w)
    # float64 both ways; sums of K² terms differ by ~1e-13 of the energy.
    assert np.allclose(t["row_error"][1], err, rtol=1e-9,
                       atol=1e-12 * energy / n), (t["row_error"][1], err)
    row_energy = np.einsum("nk,kl,nl->n", w, h, w)
    assert np.allclose(t["row_energy"][1], row_energy, rtol=1e-9,
                       atol=1e-12 * energy / n), (t["row_energy"][1],
                                                  row_energy)
    with open(stdout_path) as f:
        last = f.read().strip().splitlines()[-1]
    res = json.loads(last)
    for key in ("method", "bits", "group_size", "normalized_error", "seconds"):
        assert key in res, key
    assert res["method"] == method and res["bits"] == bits
    assert res["group_size"] == group
    norm = err.sum() / energy
    assert abs(res["normalized_error"] - norm) <= 1e-9 * max(norm, 1e-30), \
        (res["normalized_error"], norm)
    print("normalized_error %.6g" % norm)


if __name__ == "__main__":
    main()
