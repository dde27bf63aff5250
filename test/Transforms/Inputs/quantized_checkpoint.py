# Checkpoints for the weights= import tests of --dq-quantize.
#
#   quantized_checkpoint.py write OUT name:NxK:bits:G:dtype ... value:NAME:SHAPE ...
#       random q, scale, offset (dtype f16, bf16 or f32; G groups per row);
#       random float32 NAME.value tensors of SHAPE (2x3, 6, or empty for a
#       scalar)
#   quantized_checkpoint.py bad OUT KIND
#       a checkpoint for fc1 (6x8) broken one way (see BAD and BAD_VALUES)
#   quantized_checkpoint.py dequantize CK MODULE OUT
#       MODULE with each checkpoint layer's resource blob replaced by its
#       float32 dequantized weight s·q + z computed in float64 here, and
#       each NAME.value's blob NAME by the values: the float reference the
#       imported module must match
#   quantized_checkpoint.py check-values CK IN OUT [ERASED ...]
#       OUT (IN after the import) holds, for each dense_resource constant
#       of IN in order (but those of the ERASED keys, the imported layers'
#       weights), a constant of the same type whose blob is the bytes of
#       CK's NAME.value when its key is NAME, and otherwise the same
#       resource with the same bytes as in IN
#   quantized_checkpoint.py compare A.npy B.npy
#       max |a - b| against a bound from float32 rounding
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "scripts"))
import dqfiles  # noqa: E402


def draw(rng, n, k, bits, groups, dtype):
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    q = rng.integers(lo, hi + 1, size=(n, k))
    s = rng.uniform(0.02, 0.2, size=(n, groups)) * rng.choice([-1, 1],
                                                             size=(n, groups))
    z = rng.normal(0, 0.05, size=(n, groups))
    if dtype == "bf16":
        return q, dqfiles.bf16(s), dqfiles.bf16(z)
    return q, s.astype(dtype), z.astype(dtype)


def parse_shape(text):
    return tuple(int(d) for d in text.split("x")) if text else ()


def write(out, specs):
    seed = int.from_bytes(os.urandom(4), "little")
    print("seed", seed)
    rng = np.random.default_rng(seed)
    layers, floats = {}, {}
    for spec in specs:
        if spec.startswith("value:"):
            _, name, shape = spec.split(":")
            floats[name] = rng.normal(1, 0.25, parse_shape(shape)).astype(
                np.float32)
            continue
        name, shape, bits, groups, dtype = spec.split(":")
        n, k = map(int, shape.split("x"))
        dtype = {"f16": "float16", "f32": "float32", "bf16": "bf16"}[dtype]
        layers[name] = draw(rng, n, k, int(bits), int(groups), dtype) + (
            int(bits),)
    dqfiles.write_quantized_model(out, layers, "quantized_checkpoint.py",
                                  floats=floats)


BAD = {
    # kind: (tensors {suffix: array} for fc1, metadata changes)
    "range": ({"q": np.full((6, 8), 2, np.int8)}, {}),
    "nan": ({"scale": np.array([[np.nan, 1]] * 6, np.float16)}, {}),
    "nobits": ({}, {"fc1.bits": None}),
    "bits5": ({}, {"fc1.bits": "5"}),
    "nooffset": ({"offset": None}, {}),
    "mixed": ({"offset": np.zeros((6, 2), np.float32)}, {}),
    "groups": ({"scale": np.ones((6, 3), np.float16),
                "offset": np.zeros((6, 3), np.float16)}, {}),
    "qtype": ({"q": np.zeros((6, 8), np.int32)}, {}),
    "shape": ({"q": np.zeros((6, 7), np.int8),
               "scale": np.ones((6, 1), np.float16),
               "offset": np.zeros((6, 1), np.float16)}, {}),
    "stray": ({"weight": np.zeros((2,), np.float32)}, {}),
    "version": ({}, {"format_version": "2"}),
}


def inf_at(shape, index, value):
    a = np.ones(shape, np.float32)
    a[index] = value
    return a


# kind: tensors added to a good checkpoint of fc1 (the writer refuses them)
BAD_VALUES = {
    "value-f16": {"fc1.bias.value": np.ones(6, np.float16)},
    "value-shape": {"fc1.bias.value": np.ones((2, 3), np.float32)},
    "value-nan": {"fc1.bias.value": inf_at(6, 4, np.nan)},
    "value-inf": {"fc2.value": inf_at((4, 6), (1, 2), -np.inf)},
}


def bad(out, kind):
    tensors = {"fc1.q": np.zeros((6, 8), np.int8),
               "fc1.scale": np.ones((6, 2), np.float16),
               "fc1.offset": np.zeros((6, 2), np.float16)}
    meta = {"format": "dq-quantized-model", "format_version": "1",
            "fc1.bits": "2"}
    if kind in BAD_VALUES:
        tensors.update(BAD_VALUES[kind])
        dqfiles.write_safetensors(out, tensors, meta)
        return
    changes, meta_changes = BAD[kind]
    for suffix, array in changes.items():
        if array is None:
            del tensors["fc1." + suffix]
        else:
            tensors["fc1." + suffix] = array
    for key, value in meta_changes.items():
        if value is None:
            del meta[key]
        else:
            meta[key] = value
    dqfiles.write_safetensors(out, tensors, meta)


def dequantize(ck, module, out):
    layers, _ = dqfiles.read_quantized_model(ck)
    text = open(module).read()
    for name, (q, s, z, _) in layers.items():
        g = q.shape[1] // s.shape[1]
        w = (np.repeat(s.astype(np.float64), g, axis=1) * q +
             np.repeat(z.astype(np.float64), g, axis=1))
        blob = "0x04000000" + w.astype("<f4").tobytes().hex().upper()
        text, count = re.subn(r'(\n\s*%s: )"0x[0-9A-Fa-f]*"' % re.escape(name),
                              lambda m: m.group(1) + '"%s"' % blob, text)
        if count != 1:
            sys.exit("no resource blob %r in %s" % (name, module))
    for name, values in dqfiles.read_quantized_floats(ck).items():
        text, count = re.subn(r'(\n\s*%s: )"0x[0-9A-Fa-f]*"' % re.escape(name),
                              lambda m: m.group(1) + '"%s"' % f32_blob(values),
                              text)
        if count != 1:
            sys.exit("no resource blob %r in %s" % (name, module))
    open(out, "w").write(text)


def f32_blob(values):
    """The printed form of a float32 resource blob: its alignment (4) as a
    little-endian uint32, then the little-endian data."""
    return ("0x04000000" +
            np.ascontiguousarray(values, "<f4").tobytes().hex().upper())


RESOURCE_KEY = r'(?:"([^"]+)"|([^\s:<>"]+))'


def parse_module(path):
    """-> ([(key, type)] of the dense_resource constants in order,
    {key: blob text})."""
    text = open(path).read()
    constants = [(m.group(1) or m.group(2), m.group(3)) for m in re.finditer(
        r'arith\.constant dense_resource<%s> : ([^\n]+)' % RESOURCE_KEY,
        text)]
    blobs = {m.group(1) or m.group(2): "0x" + m.group(3)[2:].upper() for m in
             re.finditer(r'\n\s*%s: "(0x[0-9A-Fa-f]*)"' % RESOURCE_KEY,
                         text)}
    return constants, blobs


def check_values(ck, before, after, erased):
    floats = dqfiles.read_quantized_floats(ck)
    in_constants, in_blobs = parse_module(before)
    out_constants, out_blobs = parse_module(after)
    in_constants = [c for c in in_constants if c[0] not in erased]
    errors = []
    if len(in_constants) != len(out_constants):
        errors.append("%d constants before, %d after" %
                      (len(in_constants), len(out_constants)))
    replaced = kept = 0
    seen = set()
    for (key, ty), (out_key, out_ty) in zip(in_constants, out_constants):
        if ty != out_ty:
            errors.append("%s: type %s became %s" % (key, ty, out_ty))
        elif key in floats:
            seen.add(key)
            if out_blobs.get(out_key) != f32_blob(floats[key]):
                errors.append("%s: the blob of its constant (%s) is not the "
                              "checkpoint's values" % (key, out_key))
            replaced += 1
        elif out_key != key or out_blobs.get(key) != in_blobs[key]:
            errors.append("%s: not in the checkpoint but changed (now %s)" %
                          (key, out_key))
        else:
            kept += 1
    for name in sorted(set(floats) - seen):
        errors.append("%s: no constant of %s" % (name, before))
    for e in errors:
        print("FAIL:", e)
    print("%d replaced, %d unchanged: %s" % (replaced, kept,
                                             "FAIL" if errors else "ok"))
    sys.exit(1 if errors else 0)


def compare(a_path, b_path):
    a, b = np.load(a_path).astype(np.float64), np.load(b_path).astype(
        np.float64)
    if a.shape != b.shape:
        sys.exit("shapes differ: %s vs %s" % (a.shape, b.shape))
    # Both sides are float32 evaluations of the same float64 function over
    # K <= 8 products per output and two layers: a few ulps of the largest
    # magnitude involved bound the difference.
    bound = 64 * np.finfo(np.float32).eps * max(1.0, np.abs(b).max())
    err = np.abs(a - b).max()
    print("max |a - b| = %.3g (bound %.3g): %s"
          % (err, bound, "ok" if err <= bound else "FAIL"))
    sys.exit(0 if err <= bound else 1)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "write":
        write(sys.argv[2], sys.argv[3:])
    elif cmd == "bad":
        bad(sys.argv[2], sys.argv[3])
    elif cmd == "dequantize":
        dequantize(*sys.argv[2:5])
    elif cmd == "compare":
        compare(*sys.argv[2:4])
    elif cmd == "check-values":
        check_values(*sys.argv[2:5], set(sys.argv[5:]))
    elif cmd == "input":
        np.save(sys.argv[2], np.random.default_rng().standard_normal(
            [int(d) for d in sys.argv[3].split("x")]).astype(np.float32))
    else:
        sys.exit("unknown command " + cmd)
