"""Writes small dq-quant inputs into a directory (numpy only).

  make_inputs.py DIR [N K]

good: W.npy (f32 [N, K], heavy tails), W64.npy (f64), H.npy (f64 [K, K] from
correlated activations), H32.npy (f32), both.safetensors (W and H as
"layer.weight" and "layer.hessian").
bad: Wnan.npy (NaN at [1, 2]), Hasym.npy, Hneg.npy (negative diagonal),
Hshape.npy ([K-1, K-1]), Hrect.npy ([K, K-1]), Wint.npy (int32), W1d.npy,
trunc.npy (cut short).
"""
import json
import os
import struct
import sys

import numpy as np


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, arr in tensors.items():
        data = np.ascontiguousarray(arr).tobytes()
        dtype = {np.float32: "F32", np.float64: "F64"}[arr.dtype.type]
        header[name] = {"dtype": dtype, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 24
    k = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(1234)
    w = (0.05 * rng.standard_t(3, size=(n, k))).astype(np.float32)
    x = rng.normal(size=(4 * k, k)) @ (np.eye(k) + 0.3 * rng.normal(size=(k, k)) / np.sqrt(k))
    x *= np.exp(rng.normal(0, 0.7, size=k))
    h = x.T @ x / x.shape[0]
    h = 0.5 * (h + h.T)
    save = lambda name, a: np.save(os.path.join(out, name), a)
    save("W.npy", w)
    save("W64.npy", w.astype(np.float64))
    save("H.npy", h)
    save("H32.npy", h.astype(np.float32))
    write_safetensors(os.path.join(out, "both.safetensors"),
                      {"layer.weight": w, "layer.hessian": h})
    wn = w.copy()
    wn[1, 2] = np.nan
    save("Wnan.npy", wn)
    ha = h.copy()
    ha[0, 3] += 1.0 * np.abs(h).max()
    save("Hasym.npy", ha)
    hn = h.copy()
    hn[4, 4] = -1.0
    save("Hneg.npy", hn)
    save("Hshape.npy", h[:-1, :-1].copy())
    save("Hrect.npy", h[:, :-1].copy())
    save("Wint.npy", (w * 100).astype(np.int32))
    save("W1d.npy", w[0].copy())
    with open(os.path.join(out, "W.npy"), "rb") as f:
        data = f.read()
    with open(os.path.join(out, "trunc.npy"), "wb") as f:
        f.write(data[: len(data) // 2])


if __name__ == "__main__":
    main()
