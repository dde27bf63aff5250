#!/usr/bin/env python3
"""safetensors and calibration-statistics files in numpy alone.

The formats are those of dq's C++ readers (docs/stats-format.md): a
safetensors file is an 8-byte little-endian header length, a JSON header
{name: {"dtype", "shape", "data_offsets"}, "__metadata__": {...}}, then the
data. A statistics file holds <layer>.hessian (F64 [K, K], = XᵀX / T,
undamped) and <layer>.tokens (I64 []) per layer, with metadata format =
"dq-calibration-stats", format_version = "1", producer.

Deliberately independent of the C++ code, so tests can cross-check both.
"""

import json
import os
import struct
import tempfile

import numpy as np

STATS_FORMAT = "dq-calibration-stats"
STATS_VERSION = "1"

_DTYPES = {
    "BOOL": np.dtype("bool"), "I8": np.dtype("<i1"), "U8": np.dtype("<u1"),
    "I16": np.dtype("<i2"), "U16": np.dtype("<u2"), "I32": np.dtype("<i4"),
    "U32": np.dtype("<u4"), "I64": np.dtype("<i8"), "U64": np.dtype("<u8"),
    "F16": np.dtype("<f2"), "F32": np.dtype("<f4"), "F64": np.dtype("<f8"),
}
_NAMES = {v: k for k, v in _DTYPES.items()}


class FileFormatError(Exception):
    pass


def write_atomic(path, data):
    """Writes bytes to `path` through a temporary file in the same folder."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".dqfiles-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def safetensors_bytes(tensors, metadata=None):
    """{name: np.ndarray} (in order) -> the bytes of a safetensors file."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, array in tensors.items():
        array = np.ascontiguousarray(array)
        dtype = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" \
            else array.dtype
        if dtype not in _NAMES:
            raise FileFormatError("tensor %r: unsupported dtype %s" %
                                  (name, array.dtype))
        data = array.astype(dtype).tobytes()
        header[name] = {"dtype": _NAMES[dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def write_safetensors(path, tensors, metadata=None):
    write_atomic(path, safetensors_bytes(tensors, metadata))


def read_safetensors(path):
    """-> ({name: np.ndarray}, metadata). Checks sizes and offsets."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise FileFormatError("%s: truncated" % path)
    (size,) = struct.unpack("<Q", data[:8])
    if size > len(data) - 8:
        raise FileFormatError("%s: truncated header" % path)
    header = json.loads(data[8:8 + size])
    base = 8 + size
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        dtype = _DTYPES[entry["dtype"]]
        begin, end = entry["data_offsets"]
        shape = tuple(entry["shape"])
        if end - begin != int(np.prod(shape)) * dtype.itemsize or \
                base + end > len(data):
            raise FileFormatError("%s: bad offsets for %r" % (path, name))
        tensors[name] = np.frombuffer(data[base + begin:base + end],
                                      dtype=dtype).reshape(shape).copy()
    return tensors, metadata


def write_stats(path, layers, producer):
    """layers: {name: (H [K, K] = XᵀX / T, T)}."""
    tensors = {}
    for name, (hessian, tokens) in layers.items():
        hessian = np.asarray(hessian, dtype=np.float64)
        if hessian.ndim != 2 or hessian.shape[0] != hessian.shape[1]:
            raise FileFormatError("layer %r: Hessian must be square" % name)
        if int(tokens) <= 0:
            raise FileFormatError("layer %r: token count must be positive" %
                                  name)
        tensors[name + ".hessian"] = hessian
        tensors[name + ".tokens"] = np.array(int(tokens), dtype=np.int64)
    write_safetensors(path, tensors, {"format": STATS_FORMAT,
                                      "format_version": STATS_VERSION,
                                      "producer": producer})


def read_stats(path):
    """-> ({name: (H float64 [K, K], T)}, metadata)."""
    tensors, metadata = read_safetensors(path)
    if metadata.get("format") != STATS_FORMAT:
        raise FileFormatError("%s: not a calibration statistics file" % path)
    layers = {}
    for name, array in tensors.items():
        if name.endswith(".hessian"):
            layer = name[:-len(".hessian")]
            tokens = tensors.get(layer + ".tokens")
            if tokens is None:
                raise FileFormatError("%s: %r has no token count" %
                                      (path, layer))
            layers[layer] = (array.astype(np.float64), int(tokens.ravel()[0]))
    return layers, metadata
