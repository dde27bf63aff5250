"""safetensors_to_npy.py FILE NAME OUT.npy: one tensor as float64 .npy.

A test-side reader (numpy and the file format only, independent of dq's):
F32/F16/F64 as is, BF16 widened by a 16-bit shift.
"""
import json
import struct
import sys

import numpy as np

path, name, out = sys.argv[1:4]
raw = open(path, "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
entry = json.loads(raw[8:8 + n])[name]
begin, end = entry["data_offsets"]
data = raw[8 + n + begin:8 + n + end]
dtype = entry["dtype"]
if dtype == "BF16":
    a = (np.frombuffer(data, "<u2").astype(np.uint32) << 16).view(np.float32)
else:
    a = np.frombuffer(data, {"F32": "<f4", "F16": "<f2", "F64": "<f8"}[dtype])
np.save(out, a.astype(np.float64).reshape(entry["shape"]))
