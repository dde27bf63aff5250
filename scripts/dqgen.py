#!/usr/bin/env python3
"""Generator and reader of dq weights in MLIR text form (numpy + stdlib only).

A decoupled weight W[N, K] ~= s * Q + z (torch Linear layout: y = x @ W.T):
Q holds signed `bits`-bit integers, s and z are floats per (row, group of
`group` consecutive columns); z is added as is. In the `row_major` layout row
n of Q takes ceil(K * bits / 8) bytes and element k is the two's-complement
field at bit k * bits of the row's little-endian bit stream.

This file is deliberately independent of dq's C++ code: tests use it to build
inputs and to decode them again for float64 references.

Subcommands:
  matmul-test  one dq.matmul with random Q/s/z/x: writes .mlir and .npz
  example      the example MLPs in examples/ (fp32, W2 g64, W4 g64)
  deep-mlp     a float MLP of many equal layers and its calibration
               statistics (memory and kill tests of dq-opt --dq-quantize)
"""

import argparse
import math
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dqfiles  # noqa: E402

BITS = (2, 3, 4, 8)
FLOAT_TYPES = ("f16", "bf16", "f32")


class DQGenError(Exception):
    """A user-facing error (bad argument, malformed input file)."""


# ---------------------------------------------------------------------------
# Float storage types. Values are carried around as float64 arrays holding
# exactly representable values of the storage type.


def bf16_bits(a):
    """float -> bf16 bit patterns (uint16), round to nearest even."""
    u = np.ascontiguousarray(np.asarray(a, dtype=np.float32)).view(np.uint32)
    u = u.astype(np.uint64)
    # Adding 0x7FFF plus the lowest kept bit rounds to nearest, ties to even.
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    nan = np.isnan(np.asarray(a, dtype=np.float32))
    # Keep NaNs quiet NaNs (the add could carry them into infinity).
    rounded = np.where(nan, (u >> 16) | 0x40, rounded)
    return rounded.astype(np.uint16)


def bf16_to_f64(bits):
    """bf16 bit patterns (uint16) -> float64 values."""
    u = np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16
    return u.view(np.float32).astype(np.float64)


def round_to(a, ftype):
    """Rounds float values to `ftype` (f16, bf16, f32); returns float64."""
    a = np.asarray(a, dtype=np.float64)
    if ftype == "f32":
        return a.astype(np.float32).astype(np.float64)
    if ftype == "f16":
        return a.astype(np.float16).astype(np.float64)
    if ftype == "bf16":
        # f64 -> f32 first is harmless here: no value that f64 -> bf16 and
        # f64 -> f32 -> bf16 would round differently arises from our
        # generators (f32 keeps 16 more bits than bf16 needs for ties).
        return bf16_to_f64(bf16_bits(a.astype(np.float32)))
    raise DQGenError("unknown float type %r" % ftype)


def float_bytes(a, ftype):
    """Little-endian raw bytes of `a` stored as `ftype`."""
    a = np.asarray(a, dtype=np.float64)
    if ftype == "f32":
        return a.astype("<f4").tobytes()
    if ftype == "f16":
        return a.astype("<f2").tobytes()
    if ftype == "bf16":
        return bf16_bits(a.astype(np.float32)).astype("<u2").tobytes()
    raise DQGenError("unknown float type %r" % ftype)


def float_from_bytes(data, ftype, shape):
    """Inverse of float_bytes: float64 array of `shape`."""
    if ftype == "f32":
        a = np.frombuffer(data, dtype="<f4").astype(np.float64)
    elif ftype == "f16":
        a = np.frombuffer(data, dtype="<f2").astype(np.float64)
    elif ftype == "bf16":
        a = bf16_to_f64(np.frombuffer(data, dtype="<u2"))
    else:
        raise DQGenError("unknown float type %r" % ftype)
    return a.reshape(shape)


FLOAT_SIZE = {"f16": 2, "bf16": 2, "f32": 4}


# ---------------------------------------------------------------------------
# Packing of Q.


def qrange(bits):
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def packed_row_bytes(k, bits):
    return (k * bits + 7) // 8


def pack(q, bits):
    """Q[N, K] (signed ints) -> uint8[N, ceil(K*bits/8)], row_major layout."""
    q = np.asarray(q, dtype=np.int64)
    if q.ndim != 2:
        raise DQGenError("pack: Q must be 2-D, got shape %s" % (q.shape,))
    lo, hi = qrange(bits)
    if q.size and (q.min() < lo or q.max() > hi):
        raise DQGenError("pack: Q outside [%d, %d] for %d bits" % (lo, hi, bits))
    n, k = q.shape
    # Two's-complement field of each element, then its bits LSB first: the
    # row's bit stream is these bits in column order.
    field = q & ((1 << bits) - 1)
    stream = (field[:, :, None] >> np.arange(bits)) & 1
    stream = stream.reshape(n, k * bits).astype(np.uint8)
    nbytes = packed_row_bytes(k, bits)
    padded = np.zeros((n, nbytes * 8), dtype=np.uint8)  # padding bits are 0
    padded[:, : k * bits] = stream
    return np.packbits(padded, axis=1, bitorder="little")


def unpack(packed, k, bits, check_padding=True):
    """uint8[N, ceil(K*bits/8)] -> Q[N, K] (int64), row_major layout."""
    packed = np.asarray(packed, dtype=np.uint8)
    n, nbytes = packed.shape
    if nbytes != packed_row_bytes(k, bits):
        raise DQGenError("unpack: %d bytes per row, expected %d for K=%d at %d "
                         "bits" % (nbytes, packed_row_bytes(k, bits), k, bits))
    stream = np.unpackbits(packed, axis=1, bitorder="little").astype(np.int64)
    if check_padding and stream[:, k * bits:].any():
        raise DQGenError("unpack: nonzero padding bits")
    fields = stream[:, : k * bits].reshape(n, k, bits)
    value = (fields << np.arange(bits)).sum(axis=2)
    # Sign extension of the two's-complement field.
    return np.where(value >= (1 << (bits - 1)), value - (1 << bits), value)


# ---------------------------------------------------------------------------
# Quantization.


def check_shape(n, k, bits, group):
    if bits not in BITS:
        raise DQGenError("bits must be one of %s, got %d" % (BITS, bits))
    if n <= 0 or k <= 0:
        raise DQGenError("N and K must be positive, got %d, %d" % (n, k))
    if group <= 0 or k % group:
        raise DQGenError("group %d must divide K=%d" % (group, k))


def expand_groups(a, group):
    """[N, K/G] per-group values -> [N, K] per-element values."""
    return np.repeat(a, group, axis=1)


def dequantize(q, s, z, group):
    """Float64 W = s * Q + z."""
    return expand_groups(s, group) * q + expand_groups(z, group)


def rtn_quantize(w, bits, group, scale_type):
    """Round-to-nearest min-max quantization of W[N, K].

    Per (row, group): lo = min(min(w_g), 0), hi = max(max(w_g), 0) ([-1, 1]
    if both are 0), s = (hi - lo) / (2^b - 1), z = lo + s * 2^(b-1),
    Q = clamp(floor((w - z) / s + 0.5)). Q is computed with the exact s and
    z; s and z are then rounded to `scale_type`. Returns (Q, s, z) with s, z
    as float64 holding the rounded values.
    """
    w = np.asarray(w, dtype=np.float64)
    n, k = w.shape
    check_shape(n, k, bits, group)
    g = w.reshape(n, k // group, group)
    lo = np.minimum(g.min(axis=2), 0.0)
    hi = np.maximum(g.max(axis=2), 0.0)
    both_zero = (lo == 0.0) & (hi == 0.0)
    lo = np.where(both_zero, -1.0, lo)
    hi = np.where(both_zero, 1.0, hi)
    s = (hi - lo) / ((1 << bits) - 1)
    z = lo + s * (1 << (bits - 1))
    qlo, qhi = qrange(bits)
    q = np.floor((g - z[:, :, None]) / s[:, :, None] + 0.5)
    q = np.clip(q, qlo, qhi).astype(np.int64).reshape(n, k)
    return q, round_to(s, scale_type), round_to(z, scale_type)


# ---------------------------------------------------------------------------
# MLIR text writers.


def blob_hex(data, alignment=16):
    """dense_resource blob string: LE u32 alignment, then the raw bytes."""
    return "0x" + (alignment.to_bytes(4, "little") + bytes(data)).hex().upper()


def tensor_type(shape, elem):
    return "tensor<%s>" % "x".join([str(d) for d in shape] + [elem])


def weight_type(n, k, bits, group, scale_type):
    return "!dq.weight<[%d, %d], bits = %d, group = %d, scale = %s>" % (
        n, k, bits, group, scale_type)


class Resources:
    """Collects dialect_resources blobs for one module."""

    def __init__(self):
        self.blobs = []

    def add(self, name, data):
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise DQGenError("bad resource name %r" % name)
        if any(name == n for n, _ in self.blobs):
            raise DQGenError("duplicate resource name %r" % name)
        self.blobs.append((name, bytes(data)))
        return name

    def text(self):
        if not self.blobs:
            return ""
        lines = ["{-#", "  dialect_resources: {", "    builtin: {"]
        for i, (name, data) in enumerate(self.blobs):
            sep = "," if i + 1 < len(self.blobs) else ""
            lines.append('      %s: "%s"%s' % (name, blob_hex(data), sep))
        lines += ["    }", "  }", "#-}"]
        return "\n".join(lines) + "\n"


def dq_constant(res, ssa, name, q, s, z, bits, group, scale_type, indent="  "):
    """`%ssa = dq.constant ...` for Q[N, K] with s, z [N, K/G]."""
    n, k = q.shape
    check_shape(n, k, bits, group)
    if s.shape != (n, k // group) or z.shape != s.shape:
        raise DQGenError("scale/offset shape %s/%s, expected %s" %
                         (s.shape, z.shape, (n, k // group)))
    packed = pack(q, bits)
    pq = res.add(name + "_q", packed.tobytes())
    ps = res.add(name + "_s", float_bytes(s, scale_type))
    pz = res.add(name + "_z", float_bytes(z, scale_type))
    return ("%s%%%s = dq.constant packed(dense_resource<%s> : %s) "
            "scale(dense_resource<%s> : %s) offset(dense_resource<%s> : %s) "
            ": %s" % (indent, ssa, pq, tensor_type(packed.shape, "i8"),
                      ps, tensor_type(s.shape, scale_type),
                      pz, tensor_type(z.shape, scale_type),
                      weight_type(n, k, bits, group, scale_type)))


def float_constant(res, ssa, name, a, ftype="f32", indent="  "):
    """`%ssa = arith.constant dense_resource<name> : tensor<...>`."""
    res.add(name, float_bytes(a, ftype))
    return "%s%%%s = arith.constant dense_resource<%s> : %s" % (
        indent, ssa, name, tensor_type(a.shape, ftype))


def float_literal(a):
    """Exact decimal literal for a float64 array of representable values."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return repr(float(a))
    return "[" + ", ".join(float_literal(x) for x in a) + "]"


# ---------------------------------------------------------------------------
# Reader: dq.constant ops, float dense_resource constants and blobs.

_TENSOR = r"tensor<([0-9x]+)x(i8|f16|bf16|f32)>"
_DQ_CONST = re.compile(
    r"%([\w.$-]+)\s*=\s*dq\.constant\s+"
    r"packed\(\s*dense_resource<([\w.$-]+)>\s*:\s*" + _TENSOR + r"\s*\)\s*"
    r"scale\(\s*dense_resource<([\w.$-]+)>\s*:\s*" + _TENSOR + r"\s*\)\s*"
    r"offset\(\s*dense_resource<([\w.$-]+)>\s*:\s*" + _TENSOR + r"\s*\)\s*"
    r"(?:\{[^}]*\}\s*)?:\s*!dq\.weight<\s*\[\s*(\d+)\s*,\s*(\d+)\s*\]\s*,"
    r"\s*bits\s*=\s*(\d+)\s*,\s*group\s*=\s*(\d+)\s*,\s*scale\s*=\s*(\w+)"
    r"\s*(?:,\s*layout\s*=\s*(\w+)\s*)?>")
_FLOAT_CONST = re.compile(
    r"%([\w.$-]+)\s*=\s*arith\.constant\s+dense_resource<([\w.$-]+)>\s*:\s*"
    + _TENSOR)
_BLOB = re.compile(r'([\w.$-]+|"[^"]*")\s*:\s*"0x([0-9A-Fa-f]*)"')


def _shape(text):
    return tuple(int(d) for d in text.split("x"))


def read_blobs(text):
    """name -> raw bytes (alignment word stripped) of dialect_resources."""
    start = text.find("dialect_resources")
    if start < 0:
        return {}
    blobs = {}
    for m in _BLOB.finditer(text, start):
        data = bytes.fromhex(m.group(2))
        if len(data) < 4:
            raise DQGenError("blob %s shorter than its alignment word" %
                             m.group(1))
        blobs[m.group(1).strip('"')] = data[4:]
    return blobs


def _blob(blobs, name, shape, elem):
    if name not in blobs:
        raise DQGenError("resource %r not found in dialect_resources" % name)
    data = blobs[name]
    size = int(np.prod(shape)) * (1 if elem == "i8" else FLOAT_SIZE[elem])
    if len(data) != size:
        raise DQGenError("resource %r has %d bytes, %s needs %d" %
                         (name, len(data), tensor_type(shape, elem), size))
    return data


def read_module(path_or_text):
    """Parses a module's dq.constant weights and float dense_resource constants.

    Returns (weights, floats): weights maps the SSA name of each dq.constant
    to a dict with q (int64 [N, K]), s, z (float64 [N, K/G]), bits, group,
    scale_type, packed_bytes, resource (the packed blob's name); floats maps
    the SSA name of each `arith.constant dense_resource` to a float64 array.
    """
    text = path_or_text
    if "\n" not in text and os.path.exists(text):
        with open(text) as f:
            text = f.read()
    blobs = read_blobs(text)
    weights = {}
    for m in _DQ_CONST.finditer(text):
        (ssa, pq, pshape, pelem, ps, sshape, selem, pz, zshape, zelem,
         n, k, bits, group, stype, layout) = m.groups()
        n, k, bits, group = int(n), int(k), int(bits), int(group)
        check_shape(n, k, bits, group)
        if layout not in (None, "row_major"):
            raise DQGenError("%%%s: layout %s not supported" % (ssa, layout))
        if pelem != "i8" or selem != stype or zelem != stype:
            raise DQGenError("%%%s: unexpected element types" % ssa)
        pshape, sshape = _shape(pshape), _shape(sshape)
        if pshape != (n, packed_row_bytes(k, bits)):
            raise DQGenError("%%%s: packed shape %s" % (ssa, pshape))
        if sshape != (n, k // group) or _shape(zshape) != sshape:
            raise DQGenError("%%%s: scale/offset shape %s" % (ssa, sshape))
        packed = np.frombuffer(_blob(blobs, pq, pshape, "i8"), dtype=np.uint8)
        weights[ssa] = dict(
            q=unpack(packed.reshape(pshape), k, bits),
            s=float_from_bytes(_blob(blobs, ps, sshape, stype), stype, sshape),
            z=float_from_bytes(_blob(blobs, pz, sshape, stype), stype, sshape),
            bits=bits, group=group, scale_type=stype, resource=pq,
            packed_bytes=packed.size)
    floats = {}
    for m in _FLOAT_CONST.finditer(text):
        ssa, name, shape, elem = m.groups()
        if elem == "i8":
            continue
        shape = _shape(shape)
        floats[ssa] = float_from_bytes(_blob(blobs, name, shape, elem), elem,
                                       shape)
    return weights, floats


# ---------------------------------------------------------------------------
# Output helpers.


def write_atomic(path, data):
    """Writes text or bytes to `path` via a temp file in the same folder."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    dqfiles.write_atomic(path, data.encode() if isinstance(data, str) else data)


def save_npz_atomic(path, **arrays):
    import io
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    write_atomic(path, buf.getvalue())


PRINT_DECLS = """\
  func.func private @printMemrefF32(memref<*xf32>)
  func.func private @printF64(f64)
  func.func private @printNewline()
  func.func private @rtclock() -> f64
"""


def print_f32_lines(value, shape, elem, indent="    "):
    """MLIR lines printing tensor %value (any float type) via printMemrefF32."""
    tt = tensor_type(shape, elem)
    ft = tensor_type(shape, "f32")
    mt = "memref<%s>" % "x".join([str(d) for d in shape] + ["f32"])
    lines = []
    v = value
    if elem != "f32":
        # Widen half-precision results (exact) so printMemrefF32 can print.
        rank = len(shape)
        dims = ", ".join("d%d" % i for i in range(rank))
        ident = "affine_map<(%s) -> (%s)>" % (dims, dims)
        lines += [
            "%s%%pe = tensor.empty() : %s" % (indent, ft),
            "%s%%pw = linalg.generic {indexing_maps = [%s, %s], "
            "iterator_types = [%s]} ins(%s : %s) outs(%%pe : %s) {" % (
                indent, ident, ident,
                ", ".join(['"parallel"'] * rank), v, tt, ft),
            "%s^bb0(%%a: %s, %%b: f32):" % (indent, elem),
            "%s  %%e = arith.extf %%a : %s to f32" % (indent, elem),
            "%s  linalg.yield %%e : f32" % indent,
            "%s} -> %s" % (indent, ft),
        ]
        v = "%pw"
    lines += [
        "%s%%pm = bufferization.to_buffer %s : %s to %s" % (indent, v, ft, mt),
        "%s%%pu = memref.cast %%pm : %s to memref<*xf32>" % (indent, mt),
        "%scall @printMemrefF32(%%pu) : (memref<*xf32>) -> ()" % indent,
    ]
    return lines


# ---------------------------------------------------------------------------
# matmul-test


def parse_batch_shape(text):
    """'3' -> (3,), '2x3' -> (2, 3), '' or 'none' -> () (rank-1 activation)."""
    if text in ("", "none"):
        return ()
    try:
        dims = tuple(int(d) for d in text.split("x"))
    except ValueError:
        raise DQGenError("bad --batch-shape %r (expected e.g. 3 or 2x3)" % text)
    if any(d <= 0 for d in dims):
        raise DQGenError("bad --batch-shape %r: dims must be positive" % text)
    return dims


def make_matmul_test(bits, group, n, k, batch, act, stype, seed):
    """Random Q/s/z/x and the module text; returns (text, arrays)."""
    check_shape(n, k, bits, group)
    for t in (act, stype):
        if t not in FLOAT_TYPES:
            raise DQGenError("float type must be one of %s, got %r" %
                             (FLOAT_TYPES, t))
    rng = np.random.default_rng(seed)
    qlo, qhi = qrange(bits)
    q = rng.integers(qlo, qhi + 1, size=(n, k))
    # Positive scales spread over a decade, offsets of either sign; values of
    # order 1 keep f16 results far from overflow and from subnormals.
    s = round_to(10.0 ** rng.uniform(-2.5, -1.5, size=(n, k // group))
                 * (8.0 / (1 << bits)), stype)
    z = round_to(rng.uniform(-0.05, 0.05, size=(n, k // group)), stype)
    x = round_to(rng.standard_normal(batch + (k,)), act)
    w = dequantize(q, s, z, group)
    y = x @ w.T  # float64 reference
    # sum_k |x_k| (|W_nk| + |s_nk q_nk|): the scale of the rounding errors.
    sq = np.abs(expand_groups(s, group) * q)
    absum = np.abs(x) @ (np.abs(w) + sq).T

    res = Resources()
    wtype = weight_type(n, k, bits, group, stype)
    xshape = batch + (k,)
    yshape = batch + (n,)
    lines = [
        "// Generated by scripts/dqgen.py matmul-test --bits %d --group %d "
        "--n %d --k %d --batch-shape %s --act-type %s --scale-type %s "
        "--seed %d" % (bits, group, n, k,
                       "x".join(map(str, batch)) or "none", act, stype, seed),
        "module {",
        PRINT_DECLS.rstrip("\n"),
        "  func.func @main() {",
        "    %%x = arith.constant dense<%s> : %s" % (
            float_literal(x), tensor_type(xshape, act)),
        dq_constant(res, "w", "w", q, s, z, bits, group, stype, indent="    "),
        "    %%y = dq.matmul %%x, %%w : %s, %s -> %s" % (
            tensor_type(xshape, act), wtype, tensor_type(yshape, act)),
    ]
    lines += print_f32_lines("%y", yshape, act)
    lines += ["    return", "  }", "}", res.text()]
    arrays = dict(y=y, absum=absum, x=x, q=q, s=s, z=z,
                  bits=bits, group=group, act=act, scale_type=stype,
                  shape=np.array(yshape, dtype=np.int64))
    return "\n".join(lines), arrays


def cmd_matmul_test(args):
    text, arrays = make_matmul_test(args.bits, args.group, args.n, args.k,
                                    parse_batch_shape(args.batch_shape),
                                    args.act_type, args.scale_type, args.seed)
    write_atomic(args.output, text)
    save_npz_atomic(args.npz, **arrays)


# ---------------------------------------------------------------------------
# example: the MLP models.

# Sizes are chosen so the fp32 file (its weights as hex blobs) stays < 300 KB.
MLP = dict(batch=16, d_in=128, d_hidden=192, d_out=32, seed=20240601)
MLP_QUANT = (("mlp_w2g64", 2, 64), ("mlp_w4g64", 4, 64))


def mlp_params(cfg=MLP):
    rng = np.random.default_rng(cfg["seed"])
    d_in, d_h, d_out = cfg["d_in"], cfg["d_hidden"], cfg["d_out"]
    # Kaiming-like scale (1/sqrt(fan_in)); Student-t entries give the heavy
    # tails of trained weights, which is where quantizers differ.
    p = dict(
        w1=rng.standard_t(5, (d_h, d_in)) / math.sqrt(d_in),
        b1=rng.standard_normal(d_h) * 0.1,
        w2=rng.standard_t(5, (d_out, d_h)) / math.sqrt(d_h),
        b2=rng.standard_normal(d_out) * 0.1,
    )
    return {k: round_to(v, "f32") for k, v in p.items()}


def mlp_inputs(count, seed, cfg=MLP):
    """`count` input batches [batch, d_in] (f32 values) of correlated
    features, as real activations have: x = z A with z ~ N(0, I) and a fixed
    mixing A whose singular values decay like 1/sqrt(i + 1) (scaled so that
    E x_k^2 = 1)."""
    d_in = cfg["d_in"]
    mix_rng = np.random.default_rng(cfg["seed"] + 1)
    q, _ = np.linalg.qr(mix_rng.standard_normal((d_in, d_in)))
    sigma = 1.0 / np.sqrt(np.arange(1, d_in + 1))
    a = (q * sigma) @ q.T
    a *= math.sqrt(d_in / np.sum(a * a))
    rng = np.random.default_rng(seed)
    return [round_to(rng.standard_normal((cfg["batch"], d_in)) @ a, "f32")
            for _ in range(count)]


def mlp_forward(x, w1, b1, w2, b2):
    """Float64 reference forward pass."""
    h = np.maximum(x @ w1.T + b1, 0.0)
    return h @ w2.T + b2


def _bias_relu_lines(dst, src, bias, m, n, relu):
    """linalg.generic computing dst = src + bias[n] (then ReLU if asked)."""
    t = tensor_type((m, n), "f32")
    lines = [
        "    %%%s_e = tensor.empty() : %s" % (dst, t),
        "    %%%s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> "
        "(d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> "
        "(d0, d1)>], iterator_types = [\"parallel\", \"parallel\"]} "
        "ins(%%%s, %%%s : %s, %s) outs(%%%s_e : %s) {" % (
            dst, src, bias, t, tensor_type((n,), "f32"), dst, t),
        "    ^bb0(%a: f32, %b: f32, %o: f32):",
        "      %v = arith.addf %a, %b : f32",
    ]
    if relu:
        lines += ["      %c0 = arith.constant 0.0 : f32",
                  "      %r = arith.maximumf %v, %c0 : f32",
                  "      linalg.yield %r : f32"]
    else:
        lines += ["      linalg.yield %v : f32"]
    lines += ["    } -> %s" % t]
    return lines


def mlp_module(params, quant=None, cfg=MLP):
    """The example module; quant = (bits, group) for dq weights, or None."""
    m, d_in, d_h, d_out = cfg["batch"], cfg["d_in"], cfg["d_hidden"], \
        cfg["d_out"]
    res = Resources()
    xt, ht, yt = (tensor_type((m, d), "f32") for d in (d_in, d_h, d_out))
    if quant:
        bits, group = quant
        title = "%d-bit RTN, group %d, f16 scale/offset" % (bits, group)
    else:
        title = "fp32 weights"
    lines = [
        "// Example 2-layer MLP (%d -> %d -> ReLU -> %d, batch %d), %s." % (
            d_in, d_h, d_out, m, title),
        "// Generated by: scripts/dqgen.py example (do not edit by hand).",
        "// @forward(x) = relu(x @ W1^T + b1) @ W2^T + b2; run it with dq-run.",
        "module {",
        "  func.func @forward(%%x: %s) -> %s {" % (xt, yt),
    ]
    for layer, (w, b, k, n, src, relu) in enumerate(
            (("w1", "b1", d_in, d_h, "x", True),
             ("w2", "b2", d_h, d_out, "h", False)), start=1):
        fc = "fc%d" % layer
        in_t, out_t = tensor_type((m, k), "f32"), tensor_type((m, n), "f32")
        if quant:
            q, s, z = rtn_quantize(params[w], bits, group, "f16")
            lines.append(dq_constant(res, w, fc, q, s, z, bits, group, "f16"))
            lines.append("  %%%s_mm = dq.matmul %%%s, %%%s : %s, %s -> %s" % (
                fc, src, w, in_t, weight_type(n, k, bits, group, "f16"),
                out_t))
        else:
            lines.append(float_constant(res, w, fc + "_w", params[w]))
            wt = tensor_type((n, k), "f32")
            lines += [
                "  %%%s_zero = arith.constant 0.0 : f32" % fc,
                "  %%%s_e = tensor.empty() : %s" % (fc, out_t),
                "  %%%s_acc = linalg.fill ins(%%%s_zero : f32) outs(%%%s_e : "
                "%s) -> %s" % (fc, fc, fc, out_t, out_t),
                # y = x @ W^T with W in [N, K] (the torch layout).
                "  %%%s_mm = linalg.matmul indexing_maps = [affine_map<(d0, "
                "d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, "
                "affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%%%s, %%%s : %s, "
                "%s) outs(%%%s_acc : %s) -> %s" % (
                    fc, src, w, in_t, wt, fc, out_t, out_t),
            ]
        lines.append(float_constant(res, b, fc + "_b", params[b]))
        dst = "h" if relu else "y"
        lines += [l[2:] for l in _bias_relu_lines(dst, fc + "_mm", b, m, n,
                                                   relu)]
    lines += [
        "  return %%y : %s" % yt,
        "  }",
        "}",
        res.text(),
    ]
    return "\n".join(lines)


def cmd_example(args):
    params = mlp_params()
    outputs = [("mlp_f32", None)] + [(name, (b, g)) for name, b, g in MLP_QUANT]
    for name, quant in outputs:
        path = os.path.join(args.out_dir, name + ".mlir")
        text = mlp_module(params, quant)
        write_atomic(path, text)
        print("wrote %s (%d bytes)" % (path, len(text)))


# ---------------------------------------------------------------------------
# deep-mlp: many equal layers, for the resource tests.


def deep_mlp_module(layers, width, batch, seed):
    """`forward(x) = relu(...relu(x W0^T)...) W_{L-1}^T`, f32 weights as
    dense_resource blobs fc<i>_w (which are also the layer names), and the
    statistics {fc<i>_w: (H, T)} of Gaussian activations for every layer."""
    rng = np.random.default_rng(seed)
    res = Resources()
    t = tensor_type((batch, width), "f32")
    lines = [
        "// %d-layer MLP, width %d, batch %d (scripts/dqgen.py deep-mlp)." % (
            layers, width, batch),
        "module {",
        "  func.func @forward(%%x0: %s) -> %s {" % (t, t),
        "    %zero = arith.constant 0.0 : f32",
    ]
    stats = {}
    tokens = 4 * width
    for i in range(layers):
        w = round_to(rng.standard_t(5, (width, width)) / math.sqrt(width),
                     "f32")
        name = "fc%d_w" % i
        lines.append(float_constant(res, "w%d" % i, name, w, indent="    "))
        lines += [
            "    %%e%d = tensor.empty() : %s" % (i, t),
            "    %%acc%d = linalg.fill ins(%%zero : f32) outs(%%e%d : %s) -> "
            "%s" % (i, i, t, t),
            "    %%mm%d = linalg.matmul indexing_maps = [affine_map<(d0, d1, "
            "d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, "
            "affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%%x%d, %%w%d : %s, %s) "
            "outs(%%acc%d : %s) -> %s" % (i, i, i, t,
                                          tensor_type((width, width), "f32"),
                                          i, t, t),
        ]
        lines.append(float_constant(res, "b%d" % i, "fc%d_b" % i,
                                    np.zeros(width), indent="    "))
        lines += _bias_relu_lines("x%d" % (i + 1), "mm%d" % i, "b%d" % i,
                                  batch, width, i + 1 < layers)
        x = rng.standard_normal((tokens, width))
        stats[name] = (x.T @ x / tokens, tokens)
    lines += ["    return %%x%d : %s" % (layers, t), "  }", "}", res.text()]
    return "\n".join(lines), stats


def cmd_deep_mlp(args):
    text, stats = deep_mlp_module(args.layers, args.width, args.batch,
                                  args.seed)
    write_atomic(args.output, text)
    dqfiles.write_stats(args.stats, stats, "dqgen.py deep-mlp")
    print("wrote %s (%d bytes) and %s (%d layers)" % (
        args.output, len(text), args.stats, len(stats)))


# ---------------------------------------------------------------------------
# CLI


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    mt = sub.add_parser("matmul-test",
                        help="one dq.matmul with random inputs + reference")
    mt.add_argument("--bits", type=int, required=True, choices=BITS)
    mt.add_argument("--group", type=int, required=True,
                    help="group size; must divide K (K = per-channel)")
    mt.add_argument("--n", type=int, required=True, help="rows of W (outputs)")
    mt.add_argument("--k", type=int, required=True, help="columns of W")
    mt.add_argument("--batch-shape", default="3",
                    help="leading dims of x, e.g. 3 or 2x3; 'none' for rank 1")
    mt.add_argument("--act-type", default="f32", choices=FLOAT_TYPES)
    mt.add_argument("--scale-type", default="f16", choices=FLOAT_TYPES)
    mt.add_argument("--seed", type=int, default=0)
    mt.add_argument("-o", "--output", required=True, help="the .mlir to write")
    mt.add_argument("--npz", required=True,
                    help="the .npz to write (reference y and inputs)")
    mt.set_defaults(func=cmd_matmul_test)

    ex = sub.add_parser("example", help="write the example MLPs")
    ex.add_argument("--out-dir", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
    ex.set_defaults(func=cmd_example)

    dm = sub.add_parser("deep-mlp",
                        help="a float MLP of many equal layers + statistics")
    dm.add_argument("--layers", type=int, required=True)
    dm.add_argument("--width", type=int, default=256)
    dm.add_argument("--batch", type=int, default=4)
    dm.add_argument("--seed", type=int, default=0)
    dm.add_argument("-o", "--output", required=True, help="the .mlir to write")
    dm.add_argument("--stats", required=True,
                    help="the statistics .safetensors to write")
    dm.set_defaults(func=cmd_deep_mlp)

    args = ap.parse_args(argv)
    try:
        args.func(args)
    except (DQGenError, OSError) as e:
        print("dqgen: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
