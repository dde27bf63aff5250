# GPTQ checkpoints (AutoGPTQ / GPTQModel layout) written from known integers,
# zero points and scales, and the checks of their conversion by
# scripts/gptq_to_dq.py. The packing here is the test's own (the reference
# writers' word-by-word layout, not the converter's bit-stream reading), so a
# converter that misreads the layout fails the checks.
#
#   gptq_checkpoint.py write DIR [options] NAME:NxK:BITS:GROUP[:LAYOUT] ...
#       DIR/model.safetensors (or shards and their index), the config, and
#       DIR/truth.npz: per layer the unsigned integers q_u [K, N], the zero
#       points [G, N], the scales (float64 of their stored values) [G, N] and
#       g_idx [K]. GROUP -1 is per-channel. LAYOUT: plain (g_idx = k //
#       GROUP), nogidx (no g_idx tensor), blocks (act-order whose groups are
#       contiguous ranges in permuted order), scattered (act-order: each
#       group's columns spread out), zero0 (some zero points 0, written as
#       GPTQModel writes v1: v2 words minus 1 in every field, borrowing),
#       zeromax (some v1 fields 2^b - 1, which AutoGPTQ's kernels read as
#       zero point 2^b).
#   gptq_checkpoint.py check DQ TRUTH [--exact]
#       (a) q = q_u - 2^(b-1) exactly, the scales are the GPTQ scales
#       exactly, the offsets within half an ulp (of their dtype) of the exact
#       scale * (2^(b-1) - zero); (b) s*q + z equals scale * (q_u - zero),
#       both formed in float64 here, within that same bound (0 with --exact).
#   gptq_checkpoint.py bad KIND DIR
#       a one-layer checkpoint broken one way (see BAD).
#   gptq_checkpoint.py reference MODULE TRUTH X.npy OUT.npy [--offset-type T]
#       the float64 forward pass of examples/mlp_f32.mlir's MLP with the GPTQ
#       layers fc1_w and fc2_w dequantized here (biases from MODULE); with
#       T (f16, bf16), OUT.bound.npy: how far the outputs may move when the
#       converter rounds each offset to T (half an ulp per weight).
#   gptq_checkpoint.py dq-reference MODULE DQ X.npy OUT.npy
#       the same with the dq checkpoint's own weights s*q + z.
#   gptq_checkpoint.py compare Y.npy REF.npy [--bound B.npy]
#       |y - ref| <= 1e-4 max |ref| (float32 accumulation over <= 192
#       products per output, as scripts/run_example.py bounds it) + B.
import argparse
import json
import os
import sys

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                    "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import dqfiles  # noqa: E402
import dqgen  # noqa: E402


# ---------------------------------------------------------------------------
# Packing, as AutoGPTQ's QuantLinear.pack and GPTQModel's pack_block lay the
# words out: with pf = 32 / b values per word (2, 4, 8 bits) word r holds
# values r*pf .. r*pf + pf - 1, value r*pf + j at bit b*j; at 3 bits each 32
# values fill 3 words: values 0-9 at bits 0, 3, .., 27 of word 0 and the low
# 2 bits of value 10 at bits 30-31; its high bit at bit 0 of word 1, values
# 11-20 at bits 1, 4, .., 28, the low bit of value 21 at bit 31; its high 2
# bits at bits 0-1 of word 2, values 22-31 at bits 2, 5, .., 29.


def pack_rows(values, bits):
    """values (ints in [0, 2^b), [count, M], count % 32 == 0) -> int32
    [count * b / 32, M], packed along the rows."""
    count, m = values.shape
    assert count % 32 == 0 and values.min() >= 0 and values.max() < 1 << bits
    x = values.astype(np.uint64)
    if bits in (2, 4, 8):
        pf = 32 // bits
        x = x.reshape(count // pf, pf, m)
        words = np.zeros((count // pf, m), np.uint64)
        for j in range(pf):
            words |= x[:, j] << np.uint64(bits * j)
    else:
        assert bits == 3
        x = x.reshape(count // 32, 32, m)
        w0 = (x[:, 10] & np.uint64(3)) << np.uint64(30)
        w1 = (x[:, 10] >> np.uint64(2)) | (
            (x[:, 21] & np.uint64(1)) << np.uint64(31))
        w2 = x[:, 21] >> np.uint64(1)
        for i in range(10):
            w0 |= x[:, i] << np.uint64(3 * i)
            w1 |= x[:, 11 + i] << np.uint64(3 * i + 1)
            w2 |= x[:, 22 + i] << np.uint64(3 * i + 2)
        words = np.stack([w0, w1, w2], axis=1).reshape(count // 32 * 3, m)
    assert words.max() <= 0xFFFFFFFF
    return words.astype(np.uint32).view(np.int32)


def pack_zeros(stored, bits):
    """[G, N] fields -> qzeros int32 [G, N * b / 32] (packed along N)."""
    return np.ascontiguousarray(pack_rows(stored.T, bits).T)


def gptqmodel_v1_qzeros(zero, bits):
    """GPTQModel's v1 writer: the v2 words, then 1 subtracted from every
    field as one integer subtraction per word (a field at 0 borrows from the
    next); at 3 bits each field is shifted on its own, modulo 8."""
    if bits == 3:
        return pack_zeros((zero - 1) % 8, bits)
    ones = sum(1 << (bits * j) for j in range(32 // bits))
    words = pack_zeros(zero, bits).view(np.uint32).astype(np.int64)
    return ((words - ones) % (1 << 32)).astype(np.uint32).view(np.int32)


# ---------------------------------------------------------------------------
# write


def draw_layer(rng, n, k, bits, group, layout, fmt, sym):
    top = (1 << bits) - 1
    size = k if group == -1 else group
    groups = -(-k // size)
    q_u = rng.integers(0, top + 1, size=(k, n))
    if sym:
        zero = np.full((groups, n), 1 << (bits - 1))
    elif fmt == "gptq":
        zero = rng.integers(1, top + 1, size=(groups, n))  # v1 cannot hold 0
    else:
        zero = rng.integers(0, top + 1, size=(groups, n))
    if layout == "zero0":
        zero[0, ::3] = 0
    if layout == "zeromax":
        zero[0, ::3] = top + 1  # AutoGPTQ's reading of a field 2^b - 1
    scale = rng.uniform(0.002, 0.05, size=(groups, n))
    g_idx = np.arange(k) // size
    if layout == "blocks":
        g_idx = rng.permutation(groups)[g_idx]
    elif layout == "scattered":
        g_idx = g_idx[rng.permutation(k)]
    return q_u, zero, scale, g_idx


def write(args):
    seed = args.seed if args.seed is not None else \
        int.from_bytes(os.urandom(4), "little")
    print("seed", seed)
    rng = np.random.default_rng(seed)
    os.makedirs(args.dir, exist_ok=True)
    tensors, truth, first = {}, {}, None
    for spec in args.layers:
        fields = spec.split(":")
        name, shape, bits, group = fields[:4]
        layout = fields[4] if len(fields) > 4 else "plain"
        n, k = map(int, shape.split("x"))
        bits, group = int(bits), int(group)
        first = first or (bits, group)
        q_u, zero, scale, g_idx = draw_layer(rng, n, k, bits, group, layout,
                                             args.format, args.sym)
        if args.scale_dtype == "f16":
            stored_scale = scale.astype(np.float16)
            scale = stored_scale.astype(np.float64)
        elif args.scale_dtype == "bf16":
            stored_scale = dqfiles.bf16(scale)
            scale = dqfiles.bf16_to_f32(stored_scale.bits).astype(np.float64)
        else:
            stored_scale = scale.astype(np.float32)
            scale = stored_scale.astype(np.float64)
        if args.format == "gptq_v2":
            qzeros = pack_zeros(zero, bits)
        elif layout == "zero0":
            qzeros = gptqmodel_v1_qzeros(zero, bits)
        else:
            qzeros = pack_zeros(zero - 1, bits)
        tensors[name + ".qweight"] = pack_rows(q_u, bits)
        tensors[name + ".qzeros"] = qzeros
        tensors[name + ".scales"] = stored_scale
        if layout != "nogidx":
            tensors[name + ".g_idx"] = g_idx.astype(np.int32)
        tensors[name + ".bias"] = rng.normal(size=n).astype(np.float16)
        truth.update({name + "/q_u": q_u, name + "/zero": zero,
                      name + "/scale": scale, name + "/g_idx": g_idx,
                      name + "/bits": np.array(bits)})
    # Tensors of a real checkpoint that are not quantized layers.
    tensors["model.embed_tokens.weight"] = np.ones((4, 8), np.float16)
    tensors["model.norm.weight"] = np.ones(8, np.float16)

    names = list(tensors)
    if args.shards > 1:
        weight_map = {}
        for i in range(args.shards):
            shard = "model-%05d-of-%05d.safetensors" % (i + 1, args.shards)
            part = {t: tensors[t] for t in names[i::args.shards]}
            dqfiles.write_safetensors(os.path.join(args.dir, shard), part,
                                      {"format": "pt"})
            weight_map.update({t: shard for t in part})
        with open(os.path.join(args.dir, "model.safetensors.index.json"),
                  "w") as f:
            json.dump({"metadata": {}, "weight_map": weight_map}, f)
    else:
        dqfiles.write_safetensors(os.path.join(args.dir, "model.safetensors"),
                                  tensors, {"format": "pt"})
    if args.config != "none":
        cfg = {"bits": first[0], "group_size": first[1],
               "desc_act": any(s.endswith(("blocks", "scattered"))
                               for s in args.layers),
               "sym": bool(args.sym), "quant_method": "gptq",
               "checkpoint_format": args.format, "pack_dtype": "int32"}
        if args.config == "hf":
            path, cfg = "config.json", {"model_type": "llama",
                                        "quantization_config": cfg}
        else:
            path = "quantize_config.json"
        with open(os.path.join(args.dir, path), "w") as f:
            json.dump(cfg, f)
    np.savez(os.path.join(args.dir, "truth.npz"), **truth)


# ---------------------------------------------------------------------------
# check


def gptq_dequantized(truth, name):
    """W [N, K] = scale * (q_u - zero) over each column's group, float64."""
    g = truth[name + "/g_idx"]
    return (truth[name + "/scale"][g] *
            (truth[name + "/q_u"] - truth[name + "/zero"][g])).T


def half_ulp(values, dtype):
    """Half an ulp of |values| in dtype ("f16", "bf16", "f32")."""
    mant, tiny = {"f16": (10, -24), "bf16": (7, -133),
                  "f32": (23, -149)}[dtype]
    a = np.abs(values)
    e = np.floor(np.log2(np.where(a > 0, a, 1.0)))
    return np.maximum(2.0 ** (e - mant), 2.0 ** tiny) / 2


def check(args):
    layers, meta = dqfiles.read_quantized_model(args.dq)
    truth = np.load(args.truth)
    names = sorted({t.split("/")[0] for t in truth.files})
    if args.layers:
        names = args.layers.split(",")
    if sorted(layers) != sorted(names):
        print("FAIL: layers %s, expected %s" % (sorted(layers), names))
        sys.exit(1)
    dtypes = {"F16": "f16", "BF16": "bf16", "F32": "f32"}
    with open(args.dq, "rb") as f:
        header = json.loads(f.read(int.from_bytes(f.read(8), "little")))
    ok = True
    for name in names:
        q, s, z, bits = layers[name]
        dtype = dtypes[header[name + ".scale"]["dtype"]]
        half = 1 << (bits - 1)
        q_u, zero = truth[name + "/q_u"], truth[name + "/zero"]
        scale, g_idx = truth[name + "/scale"], truth[name + "/g_idx"]
        n, k = q.shape
        groups = s.shape[1]
        d = k // groups
        block = g_idx[::d]
        problems = []
        if bits != int(truth[name + "/bits"]):
            problems.append("bits %d" % bits)
        if not np.array_equal(q.astype(np.int64), q_u.T - half):
            problems.append("q != q_u - %d" % half)
        # Each dq group must lie in one GPTQ group.
        if not all((g_idx[j * d:(j + 1) * d] == block[j]).all()
                   for j in range(groups)):
            problems.append("dq group of %d columns spans GPTQ groups" % d)
        if not np.array_equal(s.astype(np.float64), scale[block].T):
            problems.append("scales differ from the GPTQ scales")
        z_exact = (scale * (half - zero))[block].T
        bound = 0 if args.exact else half_ulp(z_exact, dtype)
        z_err = np.abs(z.astype(np.float64) - z_exact)
        if (z_err > bound).any():
            problems.append("offset off by %.3g" % z_err.max())
        w_dq = np.repeat(s.astype(np.float64), d, axis=1) * q + \
            np.repeat(z.astype(np.float64), d, axis=1)
        w_gptq = gptq_dequantized(truth, name)
        w_bound = 0 if args.exact else np.repeat(bound, d, axis=1)
        w_err = np.abs(w_dq - w_gptq)
        if (w_err > w_bound).any():
            problems.append("dequantized weights differ by %.3g (bound "
                            "%.3g)" % (w_err.max(), np.max(w_bound)))
        print("%s %dx%d W%d g%d %s: q, scale, offset (max err %.2g), "
              "dequantized (max err %.2g): %s" %
              (name, n, k, bits, d, dtype, z_err.max(), w_err.max(),
               "ok" if not problems else "FAIL " + "; ".join(problems)))
        ok = ok and not problems
    sys.exit(0 if ok else 1)


# ---------------------------------------------------------------------------
# bad checkpoints


def bad(kind, out):
    """A checkpoint for layer `l` (N 32, K 64, 4 bits, groups of 32) broken
    one way."""
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "model.safetensors")
    t = {"l.qweight": np.zeros((8, 32), np.int32),
         "l.qzeros": np.zeros((2, 4), np.int32),
         "l.scales": np.ones((2, 32), np.float16),
         "l.g_idx": (np.arange(64) // 32).astype(np.int32)}
    cfg = {"bits": 4, "group_size": 32, "desc_act": False, "sym": False,
           "checkpoint_format": "gptq_v2"}
    if kind == "noscales":
        del t["l.scales"]
    elif kind == "noqweight":
        del t["l.qweight"]
    elif kind == "qweighttype":
        t["l.qweight"] = np.zeros((8, 32), np.float32)
    elif kind == "shape":
        t["l.qzeros"] = np.zeros((2, 5), np.int32)
    elif kind == "gidxrange":
        t["l.g_idx"][5] = 2
    elif kind == "nan":
        t["l.scales"][1, 7] = np.nan
    elif kind == "inf":
        t["l.scales"][0, 3] = np.inf
    elif kind == "empty":
        t["l.scales"] = np.ones((0, 32), np.float16)
        t["l.qzeros"] = np.zeros((0, 4), np.int32)
    elif kind == "descnogidx":
        del t["l.g_idx"]
        cfg["desc_act"] = True
    elif kind == "awq":
        cfg["quant_method"] = "awq"
    elif kind == "marlin":
        cfg["checkpoint_format"] = "marlin"
    elif kind == "bits5":
        cfg["bits"] = 5
    elif kind == "badjson":
        cfg = None
    elif kind == "overflow":
        # z = 49984 (50000 in float16) * (8 - 0) overflows float16.
        t["l.scales"][0, 0] = 50000
    elif kind != "good":
        sys.exit("unknown kind " + kind)
    dqfiles.write_safetensors(path, t, {"format": "pt"})
    with open(os.path.join(out, "quantize_config.json"), "w") as f:
        f.write("{\"bits\": 4," if cfg is None else json.dumps(cfg))


# ---------------------------------------------------------------------------
# end to end


def forward(module, w1, w2, x_path, out, e1=None, e2=None):
    """Saves the float64 forward pass to OUT; with e1, e2 (bounds on each
    weight's difference from the weights the compiled module holds) also
    OUT.bound.npy, a bound on the outputs' difference: ReLU is 1-Lipschitz,
    so |dh| <= |x| |e1|^T and |dy| <= |dh| |W2|^T + (|h| + |dh|) e2^T."""
    _, floats = dqgen.read_module(module)
    x = np.load(x_path).astype(np.float64)
    np.save(out, dqgen.mlp_forward(x, w1, floats["b1"], w2, floats["b2"]))
    if e1 is not None:
        h = np.maximum(x @ w1.T + floats["b1"], 0.0)
        dh = np.abs(x) @ e1.T
        bound = dh @ np.abs(w2).T + (np.abs(h) + dh) @ e2.T
        np.save(out[:-len(".npy")] + ".bound.npy", bound)


def compare(y_path, ref_path, bound_path):
    y, ref = np.load(y_path).astype(np.float64), np.load(ref_path)
    if y.shape != ref.shape:
        sys.exit("shapes differ: %s vs %s" % (y.shape, ref.shape))
    # float32 evaluation: as scripts/run_example.py, 1e-4 of the largest
    # output; plus the weights' own bound when given.
    slack = 1e-4 * np.abs(ref).max()
    bound = slack + (np.load(bound_path) if bound_path else 0)
    err = np.abs(y - ref)
    ok = bool((err <= bound).all())
    print("max |y - ref| / max |ref| = %.3g (%s): %s" %
          (err.max() / np.abs(ref).max(),
           "bound from the offsets' rounding" if bound_path else
           "bound 1e-4", "ok" if ok else "FAIL"))
    sys.exit(0 if ok else 1)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("dir")
    w.add_argument("layers", nargs="+")
    w.add_argument("--format", choices=("gptq", "gptq_v2"), default="gptq")
    w.add_argument("--sym", action="store_true")
    w.add_argument("--config", choices=("quantize", "hf", "none"),
                   default="quantize")
    w.add_argument("--shards", type=int, default=1)
    w.add_argument("--scale-dtype", choices=("f16", "bf16", "f32"),
                   default="f16")
    w.add_argument("--seed", type=int)
    c = sub.add_parser("check")
    c.add_argument("dq")
    c.add_argument("truth")
    c.add_argument("--exact", action="store_true")
    c.add_argument("--layers")
    b = sub.add_parser("bad")
    b.add_argument("kind")
    b.add_argument("dir")
    r = sub.add_parser("reference")
    r.add_argument("module")
    r.add_argument("truth")
    r.add_argument("x")
    r.add_argument("out")
    r.add_argument("--offset-type", choices=("f16", "bf16"),
                   help="also write OUT.bound.npy for offsets rounded to "
                   "this type")
    r2 = sub.add_parser("dq-reference")
    r2.add_argument("module")
    r2.add_argument("dq")
    r2.add_argument("x")
    r2.add_argument("out")
    cmp = sub.add_parser("compare")
    cmp.add_argument("y")
    cmp.add_argument("ref")
    cmp.add_argument("--bound")
    x = sub.add_parser("input")
    x.add_argument("out")
    x.add_argument("shape")
    args = p.parse_args()
    if args.cmd == "write":
        write(args)
    elif args.cmd == "check":
        check(args)
    elif args.cmd == "bad":
        bad(args.kind, args.dir)
    elif args.cmd == "reference":
        truth = np.load(args.truth)
        w = [gptq_dequantized(truth, name) for name in ("fc1_w", "fc2_w")]
        e = [None, None]
        if args.offset_type:
            # The converter rounds each offset z once to its dtype: the
            # weight moves by at most half an ulp of the exact z.
            for i, name in enumerate(("fc1_w", "fc2_w")):
                g = truth[name + "/g_idx"]
                half = 1 << (int(truth[name + "/bits"]) - 1)
                z = (truth[name + "/scale"] * (half - truth[name + "/zero"]))
                e[i] = half_ulp(z[g], args.offset_type).T
        forward(args.module, w[0], w[1], args.x, args.out, e[0], e[1])
    elif args.cmd == "dq-reference":
        layers, _ = dqfiles.read_quantized_model(args.dq)
        w = {}
        for name in ("fc1_w", "fc2_w"):
            q, s, z, _ = layers[name]
            d = q.shape[1] // s.shape[1]
            w[name] = np.repeat(s.astype(np.float64), d, axis=1) * q + \
                np.repeat(z.astype(np.float64), d, axis=1)
        forward(args.module, w["fc1_w"], w["fc2_w"], args.x, args.out)
    elif args.cmd == "compare":
        compare(args.y, args.ref, args.bound)
    elif args.cmd == "input":
        np.save(args.out, np.random.default_rng().standard_normal(
            [int(v) for v in args.shape.split("x")]).astype(np.float32))


if __name__ == "__main__":
    main()
