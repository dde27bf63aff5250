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
import shutil
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


class Raw:
    """A tensor of a dtype numpy lacks (BF16): its safetensors dtype name and
    its little-endian element bits as an unsigned integer array."""

    def __init__(self, dtype, bits):
        self.dtype, self.bits = dtype, np.ascontiguousarray(bits)
        self.shape = self.bits.shape


def bf16(values):
    """float32 values -> Raw BF16, rounded to nearest even."""
    u = np.ascontiguousarray(values, dtype="<f4").view("<u4").astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return Raw("BF16", rounded.astype("<u2"))


def bf16_to_f32(bits):
    """BF16 bits (uint16 array) -> float32."""
    return (np.asarray(bits, dtype="<u2").astype("<u4") << 16).view("<f4")


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


def _encode(name, array):
    """A tensor -> (safetensors dtype name, shape list, little-endian
    bytes)."""
    if isinstance(array, Raw):
        return array.dtype, list(array.shape), array.bits.astype(
            array.bits.dtype.newbyteorder("<")).tobytes()
    # asarray, not ascontiguousarray: that makes a 0-d array [1].
    array = np.asarray(array, order="C")
    dtype = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" \
        else array.dtype
    if dtype not in _NAMES:
        raise FileFormatError("tensor %r: unsupported dtype %s" %
                              (name, array.dtype))
    return _NAMES[dtype], list(array.shape), array.astype(dtype).tobytes()


def _header_bytes(header):
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text


def safetensors_bytes(tensors, metadata=None):
    """{name: np.ndarray} (in order) -> the bytes of a safetensors file."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, array in tensors.items():
        dtype, shape, data = _encode(name, array)
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    return _header_bytes(header) + b"".join(blobs)


class SafetensorsWriter:
    """Writes a safetensors file one tensor at a time, so that only the
    tensor being added is in memory: add() appends its data to a temporary
    file beside `path`; commit(metadata) writes the header and that data to
    a second temporary file and renames it to `path` (atomic; the bytes are
    those of safetensors_bytes). As a context manager, an exception before
    commit() removes the temporary files and leaves `path` untouched."""

    def __init__(self, path):
        self.path = path
        self._folder = os.path.dirname(os.path.abspath(path))
        fd, self._data_path = tempfile.mkstemp(dir=self._folder,
                                               prefix=".dqfiles-")
        self._data = os.fdopen(fd, "wb")
        self._entries, self._offset = {}, 0

    def add(self, name, array):
        if name in self._entries:
            raise FileFormatError("tensor %r written twice" % name)
        dtype, shape, data = _encode(name, array)
        self._data.write(data)
        self._entries[name] = {"dtype": dtype, "shape": shape,
                               "data_offsets": [self._offset,
                                                self._offset + len(data)]}
        self._offset += len(data)

    def commit(self, metadata=None):
        header = {}
        if metadata:
            header["__metadata__"] = {str(k): str(v)
                                      for k, v in metadata.items()}
        header.update(self._entries)
        self._data.close()
        fd, tmp = tempfile.mkstemp(dir=self._folder, prefix=".dqfiles-")
        try:
            with os.fdopen(fd, "wb") as f, open(self._data_path, "rb") as d:
                f.write(_header_bytes(header))
                shutil.copyfileobj(d, f, 1 << 24)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, self.path)
        except BaseException:
            os.unlink(tmp)
            raise
        finally:
            os.unlink(self._data_path)

    def abort(self):
        self._data.close()
        if os.path.exists(self._data_path):
            os.unlink(self._data_path)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is not None:
            self.abort()
        return False


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
        # BF16 comes back as its uint16 bits (bf16_to_f32 decodes them).
        dtype = _DTYPES["U16" if entry["dtype"] == "BF16" else entry["dtype"]]
        begin, end = entry["data_offsets"]
        shape = tuple(entry["shape"])
        if end - begin != int(np.prod(shape)) * dtype.itemsize or \
                base + end > len(data):
            raise FileFormatError("%s: bad offsets for %r" % (path, name))
        tensors[name] = np.frombuffer(data[base + begin:base + end],
                                      dtype=dtype).reshape(shape).copy()
    return tensors, metadata


# Bytes per element of the safetensors dtypes (sub-byte float formats such as
# F4 are not listed: their tensors are accepted but cannot be read).
_DTYPE_SIZES = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
                "F8_E8M0": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
                "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8}
# The safetensors library refuses headers above 100 MB; so do we.
_MAX_HEADER = 100 << 20


class SafetensorsFile:
    """A safetensors file read lazily: the header when opened, with every
    entry checked (JSON, dtype, shape, offsets within the file, size), and a
    tensor's data only when read(name) asks for it, so that a converter holds
    one layer at a time. Every problem raises FileFormatError naming the file
    (and the tensor)."""

    def __init__(self, path):
        self.path = path
        try:
            f = open(path, "rb")
        except OSError as e:
            raise FileFormatError("%s: cannot open: %s" % (path, e.strerror))
        with f:
            size = os.fstat(f.fileno()).st_size
            head = f.read(8)
            if len(head) < 8:
                raise FileFormatError("%s: truncated safetensors file (%d "
                                      "bytes, no header length)" %
                                      (path, len(head)))
            (length,) = struct.unpack("<Q", head)
            if length > _MAX_HEADER:
                raise FileFormatError("%s: safetensors header of %d bytes "
                                      "(the limit is 100 MB)" % (path, length))
            if length > size - 8:
                raise FileFormatError("%s: truncated safetensors file: the "
                                      "header needs %d bytes, %d follow" %
                                      (path, length, size - 8))
            text = f.read(length)
        try:
            header = json.loads(text.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise FileFormatError("%s: malformed safetensors header (not "
                                  "JSON: %s)" % (path, e))
        if not isinstance(header, dict):
            raise FileFormatError("%s: malformed safetensors header (not a "
                                  "JSON object)" % path)
        meta = header.pop("__metadata__", None) or {}
        if not isinstance(meta, dict) or not all(
                isinstance(v, str) for v in meta.values()):
            raise FileFormatError("%s: malformed safetensors header "
                                  "(__metadata__ must map strings to "
                                  "strings)" % path)
        self.metadata = meta
        self._base = 8 + length
        available = size - self._base
        self._entries = {}
        for name, entry in header.items():
            self._entries[name] = self._check_entry(name, entry, available)

    def _check_entry(self, name, entry, available):
        def bad(what):
            return FileFormatError("%s: tensor %r: %s" % (self.path, name,
                                                          what))

        def is_int(v):
            return isinstance(v, int) and not isinstance(v, bool) and v >= 0

        if not isinstance(entry, dict):
            raise bad("header entry is not a JSON object")
        dtype, shape = entry.get("dtype"), entry.get("shape")
        offsets = entry.get("data_offsets")
        if not isinstance(dtype, str):
            raise bad("no dtype")
        if not isinstance(shape, list) or not all(is_int(d) for d in shape):
            raise bad("shape must be a list of non-negative integers")
        if not isinstance(offsets, list) or len(offsets) != 2 or \
                not all(is_int(o) for o in offsets) or offsets[0] > offsets[1]:
            raise bad("data_offsets must be [begin, end] with begin <= end")
        begin, end = offsets
        if end > available:
            raise bad("data ends at byte %d but the file holds %d data bytes "
                      "(truncated file?)" % (end, available))
        if dtype in _DTYPE_SIZES:
            need = _DTYPE_SIZES[dtype]
            for d in shape:
                need *= d
            if need != end - begin:
                raise bad("%s %s needs %d bytes, data_offsets give %d" %
                          (dtype, shape, need, end - begin))
        return dtype, tuple(shape), begin, end

    @property
    def names(self):
        return list(self._entries)

    def __contains__(self, name):
        return name in self._entries

    def dtype(self, name):
        """The safetensors dtype name ("F16", "I32", ...)."""
        return self._entries[name][0]

    def shape(self, name):
        return self._entries[name][1]

    def read(self, name):
        """-> np.ndarray (writable); BF16 comes back as its uint16 bits
        (bf16_to_f32 decodes them)."""
        dtype, shape, begin, end = self._entries[name]
        np_dtype = _DTYPES.get("U16" if dtype == "BF16" else dtype)
        if np_dtype is None:
            raise FileFormatError("%s: tensor %r has dtype %s, which this "
                                  "reader cannot decode" %
                                  (self.path, name, dtype))
        array = np.empty(shape, dtype=np_dtype)
        try:
            with open(self.path, "rb") as f:
                f.seek(self._base + begin)
                got = f.readinto(array.reshape(-1).view(np.uint8))
        except OSError as e:
            raise FileFormatError("%s: cannot read tensor %r: %s" %
                                  (self.path, name, e.strerror))
        if got != end - begin:
            raise FileFormatError("%s: tensor %r: truncated file (%d of %d "
                                  "bytes)" % (self.path, name, got,
                                              end - begin))
        return array


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


QUANTIZED_FORMAT = "dq-quantized-model"
QUANTIZED_VERSION = "1"
# The suffix of a float parameter's tensor (not part of a layer).
FLOAT_SUFFIX = ".value"


def write_quantized_model(path, layers, producer, metadata=None, floats=None):
    """A dq-quantized-model checkpoint (docs/weights-format.md).

    layers: {name: (q int [N, K], scale [N, G], offset [N, G], bits)}, or an
    iterable of (name, (q, scale, offset, bits)) pairs, consumed one at a
    time (then only one layer is in memory: a converter's generator writes a
    model of any size); scale and offset are float16 or float32 arrays, or
    Raw BF16 (bf16()), both of the same kind. W[n, k] = scale[n, k // (K //
    G)] * q[n, k] + offset[...]. floats: {name: float32 array of any shape},
    written as name.value: each replaces the module's constant
    dense_resource<name> on import (e.g. RMSNorm weights refined along with
    the layers). Atomic: an exception, from a check here or from the
    iterable, leaves `path` untouched.
    """
    meta = {"format": QUANTIZED_FORMAT, "format_version": QUANTIZED_VERSION,
            "producer": producer}
    meta.update(metadata or {})
    items = layers.items() if isinstance(layers, dict) else layers
    with SafetensorsWriter(path) as writer:
        for name, (q, scale, offset, bits) in items:
            q = np.asarray(q)
            lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
            if q.ndim != 2 or q.size and (q.min() < lo or q.max() > hi):
                raise FileFormatError("layer %r: q must be [N, K] within %d "
                                      "bits" % (name, bits))
            writer.add(name + ".q", q.astype(np.int8))
            writer.add(name + ".scale", scale)
            writer.add(name + ".offset", offset)
            meta[name + ".bits"] = str(bits)
        for name, values in (floats or {}).items():
            values = np.asarray(values)
            # No silent rounding: the importer replaces f32 constants only.
            if values.dtype != np.float32:
                raise FileFormatError("float %r: must be a float32 array, "
                                      "got %s" % (name, values.dtype))
            if not np.isfinite(values).all():
                raise FileFormatError("float %r: holds NaN or infinite "
                                      "values" % name)
            writer.add(name + FLOAT_SUFFIX, values)
        writer.commit(meta)


def _read_quantized_tensors(path):
    tensors, metadata = read_safetensors(path)
    if metadata.get("format") != QUANTIZED_FORMAT:
        raise FileFormatError("%s: not a dq-quantized-model checkpoint"
                              % path)
    return tensors, metadata


def read_quantized_model(path):
    """-> ({name: (q int8, scale float32, offset float32, bits)}, metadata).
    The float parameters (name.value) are left out: see
    read_quantized_floats."""
    tensors, metadata = _read_quantized_tensors(path)
    layers = {}
    for name in sorted({k.rsplit(".", 1)[0] for k in tensors
                        if not k.endswith(FLOAT_SUFFIX)}):
        parts = []
        for part in ("scale", "offset"):
            a = tensors[name + "." + part]
            parts.append(bf16_to_f32(a) if a.dtype == np.dtype("<u2")
                         else a.astype(np.float32))
        layers[name] = (tensors[name + ".q"], parts[0], parts[1],
                        int(metadata[name + ".bits"]))
    return layers, metadata


def read_quantized_floats(path):
    """-> {name: float32 array}: the float parameters (name.value tensors)
    of a dq-quantized-model checkpoint."""
    tensors, _ = _read_quantized_tensors(path)
    floats = {}
    for key in sorted(tensors):
        if key.endswith(FLOAT_SUFFIX) and len(key) > len(FLOAT_SUFFIX):
            if tensors[key].dtype != np.dtype("<f4"):
                raise FileFormatError("%s: %r must be F32" % (path, key))
            floats[key[:-len(FLOAT_SUFFIX)]] = tensors[key]
    return floats
