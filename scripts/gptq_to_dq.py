#!/usr/bin/env python3
"""Converts a GPTQ checkpoint (AutoGPTQ / GPTQModel) to dq's quantized-model
checkpoint (docs/weights-format.md), numpy and the standard library only.

  gptq_to_dq.py INPUT -o OUT.safetensors [--format gptq|gptq_v2] [--bits B]
                [--group-size G] [--layers GLOB[,GLOB...]] [--config FILE]
                [--scale-type keep|f32] [--v1-zero-overflow autogptq|gptqmodel]

INPUT is a model folder (model.safetensors, or shards listed by
model.safetensors.index.json, or the folder's .safetensors files) or one
.safetensors file. Its quantize_config.json (else quant_config.json, else
config.json's "quantization_config") gives checkpoint_format, bits,
group_size, desc_act and sym; the flags win over it.

The GPTQ layout, per linear layer `L` with K inputs, N outputs, b bits and
G groups:

  L.qweight  I32 [K*b/32, N]  the unsigned integers q_u in [0, 2^b - 1],
                              packed along the input dimension
  L.qzeros   I32 [G, N*b/32]  the zero points, packed along the outputs
  L.scales   F16 [G, N]       the scales
  L.g_idx    I32 [K]          the group of each input column (optional)

Packing: along the packed dimension the fields form one little-endian bit
stream, value i at bits [i*b, (i+1)*b) and int32 word r holding stream bits
[32r, 32r + 32); at 3 bits a value may straddle two words (AutoGPTQ's
10-1-10-1-10 scheme is this stream). W[k, n] = scale[g, n] * (q_u[k, n] -
zero[g, n]) with g = g_idx[k]; "gptq" (v1) files store zero - 1 in each
field, "gptq_v2" files the zero itself.

dq's form is W[n, k] = s[n, j] * Q[n, k] + z[n, j] over contiguous groups j
of K/G' columns, with a signed Q. So

  Q = q_u - 2^(b-1)        (exactly in [-2^(b-1), 2^(b-1) - 1])
  s = scale                (the checkpoint's values and dtype, unchanged)
  z = scale * (2^(b-1) - zero)

and s * Q + z = scale * (q_u - zero). z is rounded once to the scale's dtype
(half an ulp of z; with F16 or BF16 scales --scale-type f32 stores it
exactly: |2^(b-1) - zero| <= 128, so z has at most 11 + 8 significant
bits). A g_idx whose groups
are each one contiguous column range converts (act-order checkpoints whose
groups stay contiguous included); any other act-order g_idx is refused: dq's
groups are contiguous column ranges and this layer's cannot be made so
without permuting its inputs.
"""

import argparse
import fnmatch
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dqfiles  # noqa: E402

PROG = "gptq_to_dq"
BITS = (2, 3, 4, 8)
PARTS = ("qweight", "qzeros", "scales", "g_idx")
FORMATS = ("gptq", "gptq_v2")
CONFIG_FILES = ("quantize_config.json", "quant_config.json", "config.json")


class ConvertError(Exception):
    """A user-facing error: printed as one line, exit status 1."""


def fail(message):
    raise ConvertError(message)


# ---------------------------------------------------------------------------
# Input files.


def _open(path):
    return dqfiles.SafetensorsFile(path)


def _read_json(path):
    try:
        with open(path, "rb") as f:
            return json.loads(f.read().decode("utf-8"))
    except OSError as e:
        fail("%s: cannot open: %s" % (path, e.strerror))
    except (UnicodeDecodeError, ValueError) as e:
        fail("%s: malformed JSON (%s)" % (path, e))


def _open_index(index):
    """model.safetensors.index.json -> {tensor: SafetensorsFile}."""
    data = _read_json(index)
    weight_map = data.get("weight_map") if isinstance(data, dict) else None
    if not isinstance(weight_map, dict) or not all(
            isinstance(v, str) for v in weight_map.values()):
        fail("%s: no \"weight_map\" of tensor names to shard files" % index)
    folder = os.path.dirname(os.path.abspath(index))
    shards, tensors = {}, {}
    for name, shard in weight_map.items():
        if shard not in shards:
            path = os.path.join(folder, shard)
            if not os.path.isfile(path):
                fail("%s: shard %r (of tensor %r) does not exist" %
                     (index, shard, name))
            shards[shard] = _open(path)
        if name not in shards[shard]:
            fail("%s: tensor %r is listed in shard %r, which does not hold "
                 "it" % (index, name, shard))
        tensors[name] = shards[shard]
    return tensors


def open_checkpoint(path):
    """-> (folder of the config files, {tensor name: SafetensorsFile})."""
    if os.path.isdir(path):
        index = os.path.join(path, "model.safetensors.index.json")
        if os.path.isfile(index):
            return path, _open_index(index)
        files = sorted(f for f in os.listdir(path)
                       if f.endswith(".safetensors"))
        if "model.safetensors" in files:
            files = ["model.safetensors"]
        if not files:
            fail("%s: no model.safetensors.index.json and no .safetensors "
                 "file" % path)
        tensors = {}
        for name in files:
            st = _open(os.path.join(path, name))
            for t in st.names:
                if t in tensors:
                    fail("%s: tensor %r is in both %s and %s (no index file "
                         "says which to use)" % (path, t, tensors[t].path,
                                                st.path))
                tensors[t] = st
        return path, tensors
    if not os.path.exists(path):
        fail("%s: cannot open: No such file or directory" % path)
    folder = os.path.dirname(os.path.abspath(path))
    if path.endswith(".json"):
        return folder, _open_index(path)
    st = _open(path)
    return folder, {t: st for t in st.names}


# ---------------------------------------------------------------------------
# quantize_config.json


def load_config(folder, explicit):
    """-> (path or None, the quantization config dict)."""
    paths = [explicit] if explicit else [os.path.join(folder, f)
                                         for f in CONFIG_FILES]
    for path in paths:
        if not explicit and not os.path.isfile(path):
            continue
        data = _read_json(path)
        if not isinstance(data, dict):
            fail("%s: not a JSON object" % path)
        if os.path.basename(path) == "config.json" or (
                "quantization_config" in data and "bits" not in data):
            data = data.get("quantization_config")
            if data is None:
                if explicit:
                    fail("%s: no \"quantization_config\"" % path)
                continue  # a float model's config.json
            if not isinstance(data, dict):
                fail("%s: \"quantization_config\" is not a JSON object" %
                     path)
        return path, data
    return None, {}


def parse_config(path, cfg):
    """Checks the fields that matter -> dict(format, bits, group_size, sym,
    dynamic); absent ones are None."""
    def field(key, ok, what):
        value = cfg.get(key)
        if value is not None and not ok(value):
            fail("%s: %s is %r, expected %s" % (path, key, value, what))
        return value

    method = field("quant_method", lambda v: isinstance(v, str), "a string")
    if method is not None and method.lower() != "gptq":
        fail("%s: quant_method is %r: only GPTQ checkpoints convert (AWQ and "
             "the others pack their integers differently)" % (path, method))
    if cfg.get("is_marlin_format"):
        fail("%s: is_marlin_format is true: Marlin repacks the integers for "
             "its kernel; convert the original GPTQ checkpoint" % path)
    fmt = None
    for key in ("checkpoint_format", "format"):
        value = field(key, lambda v: isinstance(v, str), "a string")
        if value is not None:
            fmt = value.lower()
            if fmt not in FORMATS:
                fail("%s: %s is %r: only %s convert (other formats repack "
                     "the integers for a kernel)" %
                     (path, key, value, " and ".join(FORMATS)))
            break
    pack = field("pack_dtype", lambda v: isinstance(v, str), "a string")
    if pack is not None and pack.replace("torch.", "") != "int32":
        fail("%s: pack_dtype is %r: only int32 packing words are supported" %
             (path, pack))
    bits = field("bits", lambda v: isinstance(v, int) and
                 not isinstance(v, bool) and v in BITS, "2, 3, 4 or 8")
    group = field("group_size", lambda v: isinstance(v, int) and
                  not isinstance(v, bool) and (v == -1 or v > 0),
                  "-1 or a positive integer")
    sym = field("sym", lambda v: isinstance(v, bool), "true or false")
    desc_act = field("desc_act", lambda v: isinstance(v, bool),
                     "true or false")
    return dict(format=fmt, bits=bits, group_size=group, sym=sym,
                desc_act=desc_act, dynamic=bool(cfg.get("dynamic")))


# ---------------------------------------------------------------------------
# Unpacking.


def unpack(words, count, bits):
    """The first `count` fields of `bits` bits of each column of `words`
    (uint32 [R, M], R >= ceil(count * bits / 32)): field i of a column is
    bits [i*bits, (i+1)*bits) of its stream, word r holding stream bits
    [32r, 32r + 32). -> uint8 [count, M]."""
    out = np.empty((count, words.shape[1]), np.uint8)
    mask = np.uint32((1 << bits) - 1)
    # Fields j, j + 32, j + 64, ... sit at the same bit offset of every
    # `bits`-word cycle.
    for j in range(min(32, count)):
        n = len(range(j, count, 32))
        first, shift = divmod(j * bits, 32)
        stop = first + bits * (n - 1) + 1
        value = words[first:stop:bits] >> np.uint32(shift)
        if shift + bits > 32:  # straddles into the next word
            value |= words[first + 1:stop + 1:bits] << np.uint32(32 - shift)
        out[j::32] = value & mask
    return out


# GPTQModel's v1 -> v2 conversion adds 1 to every field of an int32 word as
# one integer addition (so a field that wrapped below zero carries back).
_ONES = {2: 0x55555555, 4: 0x11111111, 8: 0x01010101}


def decode_zeros(qzeros, n, bits, fmt, overflow, layer):
    """qzeros (I32 [G, ceil(N*b/32)]) -> the zero points (int64 [G, N])."""
    words = qzeros.view(np.uint32)
    top = (1 << bits) - 1
    if fmt == "gptq" and overflow == "gptqmodel" and bits in _ONES:
        words = ((words.astype(np.uint64) + _ONES[bits]) & 0xFFFFFFFF) \
            .astype(np.uint32)
        return unpack(words.T, n, bits).T.astype(np.int64)
    fields = unpack(words.T, n, bits).T.astype(np.int64)
    if fmt == "gptq_v2":
        return fields
    if overflow == "gptqmodel":  # 3 bits: GPTQModel shifts each field
        return (fields + 1) & top
    if overflow is None and (fields == top).any():
        g, c = np.argwhere(fields == top)[0]
        fail("layer %r: qzeros[%d] field of column %d is %d, the v1 "
             "(checkpoint_format gptq, zeros stored minus one) encoding of a "
             "zero point of 0 wrapped around: AutoGPTQ's kernels read it as "
             "%d, GPTQModel as 0 (carrying into the next field); choose with "
             "--v1-zero-overflow autogptq|gptqmodel" %
             (layer, g, c, top, top + 1))
    return fields + 1


# ---------------------------------------------------------------------------
# One layer.


def _read(tensors, name, dtypes, ndim):
    st = tensors[name]
    if st.dtype(name) not in dtypes or len(st.shape(name)) != ndim:
        fail("%s: tensor %r is %s %s, expected %s with %d dimension(s)" %
             (st.path, name, st.dtype(name), list(st.shape(name)),
              " or ".join(dtypes), ndim))
    return st.read(name)


def _choose_bits(layer, n, zcols, rows, k, hint, source):
    """The bit width from the shapes: ceil(N*b/32) qzeros columns and
    ceil(K*b/32) qweight rows (K from g_idx, when there is one)."""
    def fits(b):
        return -(-n * b // 32) == zcols and (
            -(-k * b // 32) == rows if k is not None else rows * 32 % b == 0)

    if hint is not None:
        if not fits(hint):
            fail("layer %r: qweight %s and qzeros [., %d] do not hold %d-bit "
                 "fields for N = %d%s (bits from %s)" %
                 (layer, [rows, n], zcols, hint, n,
                  "" if k is None else ", K = %d" % k, source))
        return hint
    found = [b for b in BITS if fits(b)]
    if len(found) != 1:
        fail("layer %r: cannot tell the bit width from qweight %s and qzeros "
             "[., %d] (%s); give --bits" %
             (layer, [rows, n], zcols,
              "none of 2, 3, 4, 8 fits" if not found else
              "%s all fit" % ", ".join(map(str, found))))
    return found[0]


def group_layout(layer, g_idx, k, groups):
    """-> (dq group size d, GPTQ group of each dq group, plain layout?).

    dq's groups are K/d contiguous ranges of d columns; a layout converts
    when each GPTQ group's columns form one contiguous range: d is then the
    gcd of K and the range boundaries, and each dq group takes its range's
    GPTQ group (several dq groups may share one when the ranges differ in
    length)."""
    starts = np.flatnonzero(g_idx[1:] != g_idx[:-1]) + 1
    runs = g_idx[np.concatenate([[0], starts])]
    if len(np.unique(runs)) != len(runs):
        # A group that occupies two separate ranges: name it and a column of
        # another group between them.
        seen = {}
        for i, g in enumerate(runs.tolist()):
            if g in seen:
                a = 0 if seen[g] == 0 else int(starts[seen[g] - 1])
                b = int(starts[i - 1])
                between = int(starts[seen[g]])
                fail("layer %r: act-order g_idx (desc_act): group %d holds "
                     "columns %d and %d but column %d between them is in "
                     "group %d; dq's groups are contiguous column ranges, so "
                     "this layer cannot be converted without permuting its "
                     "inputs (quantize with desc_act=false, or with "
                     "static_groups=true, which keeps g_idx = k // "
                     "group_size; or leave the layer out with --layers)" %
                     (layer, g, a, b, between, int(g_idx[between])))
            seen[g] = i
    d = int(np.gcd.reduce(np.concatenate([[k], starts]).astype(np.int64)))
    block_groups = g_idx[::d].astype(np.int64)
    plain = bool(np.all(np.diff(g_idx) >= 0))
    return d, block_groups, plain


def convert_layer(layer, tensors, opts):
    for part in ("qweight", "qzeros", "scales"):
        if layer + "." + part not in tensors:
            fail("layer %r: tensor %r is missing (a GPTQ layer has qweight, "
                 "qzeros, scales and usually g_idx)" %
                 (layer, layer + "." + part))
    qweight = _read(tensors, layer + ".qweight", ("I32",), 2)
    qzeros = _read(tensors, layer + ".qzeros", ("I32",), 2)
    scales = _read(tensors, layer + ".scales", ("F16", "BF16", "F32"), 2)
    scale_dtype = tensors[layer + ".scales"].dtype(layer + ".scales")
    g_idx = None
    if layer + ".g_idx" in tensors:
        g_idx = _read(tensors, layer + ".g_idx", ("I32", "I64"), 1) \
            .astype(np.int64)

    rows, n = qweight.shape
    groups = scales.shape[0]
    if scales.shape[1] != n:
        awq = any(n * 32 == scales.shape[1] * b for b in BITS)
        fail("layer %r: scales is %s but qweight has %d output columns%s" %
             (layer, list(scales.shape), n,
              " (an AWQ checkpoint? AWQ packs qweight along the outputs)"
              if awq else ""))
    if qzeros.shape[0] != groups:
        fail("layer %r: qzeros has %d group rows, scales %d" %
             (layer, qzeros.shape[0], groups))
    if groups == 0 or n == 0 or rows == 0:
        fail("layer %r: empty tensors (qweight %s, scales %s)" %
             (layer, list(qweight.shape), list(scales.shape)))
    k = None if g_idx is None else len(g_idx)
    bits = _choose_bits(layer, n, qzeros.shape[1], rows, k, opts.bits,
                        opts.bits_source)
    if k is None:
        k = rows * 32 // bits
    half = 1 << (bits - 1)

    if g_idx is None:
        if opts.desc_act:
            fail("layer %r has no g_idx, but the config says desc_act=true: "
                 "its columns' groups are unknown" % layer)
        size = opts.group_size
        if size is None and groups > 1:
            # Groups of K/G columns are only a guess: any size from
            # ceil(K/G) up makes G groups, the last one shorter.
            fail("layer %r has no g_idx and %d groups, and no group size is "
                 "known (no group_size in a config); give --group-size" %
                 (layer, groups))
        size = k if size in (None, -1) else size
        if -(-k // size) != groups:
            fail("layer %r: no g_idx, and groups of %d columns make %d "
                 "groups of K = %d, but scales has %d" %
                 (layer, size, -(-k // size), k, groups))
        g_idx = np.arange(k) // size
    elif k and (g_idx.min() < 0 or g_idx.max() >= groups):
        i = int(np.flatnonzero((g_idx < 0) | (g_idx >= groups))[0])
        fail("layer %r: g_idx[%d] = %d is not a group of scales (0..%d)" %
             (layer, i, g_idx[i], groups - 1))
    d, block_groups, plain = group_layout(layer, g_idx, k, groups)

    if scale_dtype == "BF16":
        s64 = dqfiles.bf16_to_f32(scales).astype(np.float64)
    else:
        s64 = scales.astype(np.float64)
    bad = ~np.isfinite(s64)
    if bad.any():
        g, c = np.argwhere(bad)[0]
        fail("layer %r: scales[%d, %d] is %s" % (layer, g, c, s64[g, c]))

    zero = decode_zeros(qzeros, n, bits, opts.format, opts.v1_zero_overflow,
                        layer)
    if opts.sym:
        off = zero != half
        if off.any():
            g, c = np.argwhere(off)[0]
            fail("layer %r: the config says sym=true, so every zero point "
                 "is %d, but qzeros[%d] column %d decodes to %d with "
                 "checkpoint_format %s (%s); the zero convention is wrong "
                 "(try --format %s) or the config is not this checkpoint's" %
                 (layer, half, g, c, zero[g, c], opts.format,
                  "zeros stored minus one" if opts.format == "gptq" else
                  "zeros stored as they are",
                  "gptq_v2" if opts.format == "gptq" else "gptq"))

    q_u = unpack(qweight.view(np.uint32), k, bits)  # [K, N]
    q = (q_u.T.astype(np.int16) - half).astype(np.int8)  # [N, K]

    s_blocks = s64[block_groups].T  # [N, K/d]
    z64 = s_blocks * (half - zero[block_groups].T)
    out_type = "f32" if opts.scale_type == "f32" else \
        {"F16": "f16", "BF16": "bf16", "F32": "f32"}[scale_dtype]
    # z = scale * integer, |integer| <= 128: at most 11 + 8 significant bits
    # from an F16 scale (8 + 8 from BF16), exact in float64 and float32; each
    # cast below rounds once (and F32 scales round to float32 once).
    if out_type == "f32":
        scale_out = s_blocks.astype(np.float32)
        offset_out = stored = z64.astype(np.float32)
    elif out_type == "f16":
        scale_out = scales[block_groups].T.copy()
        with np.errstate(over="ignore"):
            offset_out = stored = z64.astype(np.float16)
    else:
        scale_out = dqfiles.Raw("BF16", scales[block_groups].T.copy())
        offset_out = dqfiles.bf16(z64.astype(np.float32))
        stored = dqfiles.bf16_to_f32(offset_out.bits)
    if not np.isfinite(stored).all():
        c, j = np.argwhere(~np.isfinite(stored))[0]
        fail("layer %r: offset z = %g of row %d, group %d overflows %s; "
             "convert with --scale-type f32" %
             (layer, z64[c, j], c, j, out_type))
    note = ""
    if not plain:
        note = " (act-order g_idx whose groups are contiguous)"
    elif k // d != groups:
        note = " (unequal GPTQ groups split to %d columns)" % d
    info = "%dx%d W%d %s %s%s" % (
        n, k, bits, "per-channel" if d == k else "g%d" % d, out_type, note)
    return (q, scale_out, offset_out, bits), info


# ---------------------------------------------------------------------------


def find_layers(tensors):
    """-> the names of the GPTQ layers (`<layer>.qweight`), sorted."""
    layers = []
    for name in tensors:
        if name.endswith(".qweight"):
            layers.append(name[:-len(".qweight")])
    layer_set = set(layers)
    for name in tensors:
        base, _, part = name.rpartition(".")
        if part in ("qzeros", "scales") and base not in layer_set:
            fail("tensor %r has no %r beside it" % (name, base + ".qweight"))
    return sorted(layers)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="gptq_to_dq.py",
        description="Convert a GPTQ checkpoint (AutoGPTQ/GPTQModel: qweight, "
        "qzeros, scales, g_idx) to a dq-quantized-model checkpoint "
        "(docs/weights-format.md).")
    parser.add_argument("input", metavar="INPUT",
                        help="model folder, .safetensors file or "
                        "model.safetensors.index.json")
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help="dq checkpoint to write (.safetensors)")
    parser.add_argument("--format", choices=FORMATS,
                        help="zero-point convention: gptq (v1, zeros stored "
                        "minus one) or gptq_v2; default: the config's "
                        "checkpoint_format, else gptq")
    parser.add_argument("--bits", type=int, choices=BITS,
                        help="bit width (default: the config's, else from "
                        "the shapes)")
    parser.add_argument("--group-size", type=int, metavar="G",
                        help="columns per group for layers without g_idx "
                        "(-1: per-channel; default: the config's, else K/G)")
    parser.add_argument("--layers", action="append", metavar="GLOB",
                        help="convert only the layers matching these globs "
                        "(comma-separated, repeatable)")
    parser.add_argument("--config", metavar="FILE",
                        help="quantize_config.json to use instead of the one "
                        "beside INPUT")
    parser.add_argument("--scale-type", choices=("keep", "f32"),
                        default="keep",
                        help="storage of scale and offset: keep the "
                        "checkpoint's scale dtype (offset rounded to it), or "
                        "f32 (exact offsets from F16/BF16 scales)")
    parser.add_argument("--v1-zero-overflow", choices=("autogptq",
                                                       "gptqmodel"),
                        help="how to read a v1 zero field of 2^b - 1 (a zero "
                        "point of 0 wrapped by the minus-one encoding): "
                        "autogptq (as 2^b, like AutoGPTQ's kernels) or "
                        "gptqmodel (as 0, with GPTQModel's carry); default: "
                        "refuse")
    args = parser.parse_args(argv)

    try:
        out_folder = os.path.dirname(os.path.abspath(args.output))
        if os.path.isdir(args.output):
            fail("%s: is a directory (-o names the file to write)" %
                 args.output)
        if not os.path.isdir(out_folder):
            fail("%s: cannot write: folder %s does not exist" %
                 (args.output, out_folder))
        folder, tensors = open_checkpoint(args.input)
        cfg_path, cfg = load_config(folder, args.config)
        cfg = parse_config(cfg_path, cfg)
        cfg_name = os.path.basename(cfg_path) if cfg_path else None
        if args.format:
            fmt_source = "--format"
        elif cfg["format"]:
            fmt_source = cfg_name
        elif cfg_name:
            fmt_source = "assumed: no checkpoint_format in " + cfg_name
        else:
            fmt_source = "assumed: no quantize_config.json"
        args.format = args.format or cfg["format"] or "gptq"
        # GPTQModel's "dynamic" overrides bits, group size and sym per
        # layer: then they come from each layer's shapes and g_idx.
        args.bits_source = "--bits"
        if args.bits is None and not cfg["dynamic"]:
            args.bits, args.bits_source = cfg["bits"], cfg_name
        if args.group_size is None and not cfg["dynamic"]:
            args.group_size = cfg["group_size"]
        elif args.group_size is not None and args.group_size != -1 and \
                args.group_size <= 0:
            fail("--group-size must be -1 or positive, not %d" %
                 args.group_size)
        args.sym = cfg["sym"] and not cfg["dynamic"]
        args.desc_act = cfg["desc_act"]

        layers = find_layers(tensors)
        if not layers:
            fail("%s: no GPTQ layer (no tensor named <layer>.qweight)" %
                 args.input)
        if args.layers:
            globs = [g for arg in args.layers for g in arg.split(",") if g]
            for g in globs:
                if not any(fnmatch.fnmatchcase(l, g) for l in layers):
                    fail("--layers %r matches no layer of %s (its layers: "
                         "%s%s)" % (g, args.input, ", ".join(layers[:5]),
                                    ", ..." if len(layers) > 5 else ""))
            skipped = [l for l in layers
                       if not any(fnmatch.fnmatchcase(l, g) for g in globs)]
            layers = [l for l in layers if l not in skipped]

        def converted():
            # One layer at a time: the writer streams each to disk, so
            # memory is bounded by the largest layer, not the model.
            for i, layer in enumerate(layers):
                result, info = convert_layer(layer, tensors, args)
                print("%s: [%d/%d] %s %s" % (PROG, i + 1, len(layers), layer,
                                             info), flush=True)
                yield layer, result

        meta = {"source_format": args.format}
        meta.update({layer + ".method": "gptq" for layer in layers})
        dqfiles.write_quantized_model(args.output, converted(),
                                      "gptq_to_dq.py", meta)
    except (ConvertError, dqfiles.FileFormatError) as e:
        print("%s: error: %s" % (PROG, e), file=sys.stderr)
        return 1
    except OSError as e:
        print("%s: error: %s: %s" % (PROG, e.filename or args.output,
                                     e.strerror), file=sys.stderr)
        return 1
    out = set(layers)
    used = sum(1 for t in tensors if t.rpartition(".")[0] in out and
               t.rpartition(".")[2] in PARTS)
    print("%s: %d layer(s) converted from %s (%s; %s) -> %s; %d other "
          "tensor(s) left out" %
          (PROG, len(out), args.format,
           "zeros stored minus one" if args.format == "gptq" else
           "zeros stored as they are", fmt_source, args.output,
           len(tensors) - used))
    return 0


if __name__ == "__main__":
    sys.exit(main())
