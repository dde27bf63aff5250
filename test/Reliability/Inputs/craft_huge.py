"""Writes small files whose headers claim absurd sizes into DIR:

  huge.npy                 f4 (1048576, 1048576): 2^40 elements, 16 bytes
  overflow.npy             f4 (2^62, 2^62): the byte size overflows
  huge.safetensors         F32 [1048576, 1048576], data_offsets span 4 TiB
  overflow.safetensors     F32 [2^40, 2^40]
  header.safetensors       an 8-byte header length of 2^40
  huge_stats.safetensors   a statistics file whose Hessian is [2^20, 2^20]
  sparse_stats.safetensors the same header over an 8 TiB sparse file, whose
                           size matches the claim
  sparse.npy               huge.npy's header over a 4 TiB sparse file
(the sparse files take no disk space; where the file system cannot make
them, they stay small and fail as truncated instead)
"""
import json
import os
import struct
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
M = 1 << 20


def npy(shape):
    d = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % shape
    d += " " * ((64 - (10 + len(d) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d)) + d.encode()


def safetensors(header, data=b"\0" * 16):
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


write("huge.npy", npy((M, M)) + b"\0" * 16)
write("overflow.npy", npy((1 << 62, 1 << 62)) + b"\0" * 16)
write("huge.safetensors", safetensors(
    {"w": {"dtype": "F32", "shape": [M, M], "data_offsets": [0, 4 * M * M]}}))
write("overflow.safetensors", safetensors(
    {"w": {"dtype": "F32", "shape": [1 << 40, 1 << 40],
           "data_offsets": [0, 16]}}))
write("header.safetensors", struct.pack("<Q", 1 << 40) + b"{}")
stats_meta = {"format": "dq-calibration-stats", "format_version": "1"}
stats = {"__metadata__": stats_meta,
         "l.hessian": {"dtype": "F64", "shape": [M, M],
                       "data_offsets": [0, 8 * M * M]},
         "l.tokens": {"dtype": "I64", "shape": [],
                      "data_offsets": [8 * M * M, 8 * M * M + 8]}}
write("huge_stats.safetensors", safetensors(stats, b"\0" * 8))


def write_sparse(name, head, size):
    with open(os.path.join(out, name), "wb") as f:
        f.write(head)
        try:
            f.truncate(size)
        except OSError:
            pass


sparse = safetensors(stats, b"")
write_sparse("sparse_stats.safetensors", sparse, len(sparse) + 8 * M * M + 8)
write_sparse("sparse.npy", npy((M, M)), len(npy((M, M))) + 4 * M * M)
