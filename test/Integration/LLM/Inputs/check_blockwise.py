"""Checks quantize_llm.py --blockwise (decoupleQ's second stage) on the tiny
random Llama of export_llm.py, independently of examples/llm/blockwise.py.

  check_blockwise.py checkpoints DIR --seed S --window L --windows N
      DIR/lw.safetensors (layer-wise only), DIR/bw.safetensors and its
      report DIR/bw.json (--blockwise, same settings):
      - block 0's integers Q are the layer-wise ones (frozen);
      - scales moved, and the four norm weights are in the checkpoint as
        float tensors, moved from the model's;
      - each block's loss before and after, recomputed here in float64
        through DQLlama's own attention (not blockwise.block_forward),
        equals the report's, and training lowered it.
  check_blockwise.py same A B
      two checkpoints with the same layers and floats, bit for bit (a
      resumed run against an uninterrupted one)
  check_blockwise.py score DIR --seed S
      the compiled DIR/score_bw.ll.mlir against float64 PyTorch with the
      checkpoint applied here (s·Q + z in float64, the norms copied).

Bound for the losses: the report's are float32 evaluations. The block's
output y and the target t carry rounding errors of a few u·|y| (u =
2^-24), so mean((y - t)²) moves by about 2·u·|y|/|y - t| relative: below
1e-5 for the 4-bit errors here. 1e-4 leaves room; a loss from other
weights, inputs or targets differs by percent.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..", "..")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "examples", "llm"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "runtime", "python"))
import dqfiles  # noqa: E402
from check_tiny_llama import check, windows  # noqa: E402
from export_llm import tiny_model  # noqa: E402

NORMS = ("input_layernorm", "post_attention_layernorm")


def apply(model, path):
    """The checkpoint's layers (float64 s·Q + z) and floats, into model."""
    layers, _ = dqfiles.read_quantized_model(path)
    floats = dqfiles.read_quantized_floats(path)
    named = dict(model.named_modules())
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, (q, s, z, _) in layers.items():
            g = q.shape[1] // s.shape[1]
            w = (np.repeat(s.astype(np.float64), g, 1) * q +
                 np.repeat(z.astype(np.float64), g, 1))
            named[name].weight.copy_(torch.from_numpy(w))
        for name, v in floats.items():
            params[name].copy_(torch.from_numpy(v.astype(np.float64)))
    return layers, floats


def block(model, b, h):
    n = h.shape[1]
    positions = torch.arange(n, dtype=torch.float64)
    causal = torch.ones(n, n, dtype=torch.bool).tril()
    bias = torch.zeros(n, n, dtype=torch.float64).masked_fill(
        ~causal, float("-inf"))
    q, k, v = model._qkv(b, b.input_layernorm(h), positions)
    attn = model._attend(q, k.transpose(-1, -2), v, bias)
    return model._finish_block(b, h, attn)


def cmd_checkpoints(a):
    lw, _ = dqfiles.read_quantized_model(os.path.join(a.dir, "lw.safetensors"))
    fp = tiny_model(a.seed).double()
    m_lw, m_bw = tiny_model(a.seed).double(), tiny_model(a.seed).double()
    apply(m_lw, os.path.join(a.dir, "lw.safetensors"))
    bw, floats = apply(m_bw, os.path.join(a.dir, "bw.safetensors"))
    with open(os.path.join(a.dir, "bw.json")) as f:
        report = json.load(f)["blockwise"]

    params = dict(fp.named_parameters())
    want = ["model.layers.%d.%s.weight" % (i, n)
            for i in range(fp.cfg["blocks"]) for n in NORMS]
    ok = check_frozen_and_floats(lw, bw, floats, "model.layers.0.", 7,
                                 want, params, "norm")

    rng = np.random.default_rng(a.seed)
    ids = [rng.integers(0, fp.cfg["vocab"], a.window) for _ in range(a.windows)]

    def run(m, i, h):
        return block(m, m.model.layers[i], h)

    with torch.no_grad():
        hidden = [fp.model.embed_tokens(torch.from_numpy(w[None])) for w in ids]
        ok &= check_block_losses(
            fp.cfg["blocks"], hidden,
            lambda i, hidden: [run(fp, i, h) for h in hidden], run, m_lw,
            m_bw, report)
    return ok


def check_frozen_and_floats(lw, bw, floats, first_prefix, first_count,
                            want, params, label):
    """lw, bw: the layers of a layer-wise and a block-wise checkpoint;
    floats: the block-wise one's float tensors, which must be exactly
    `want` and all differ from the model's `params`. Block 0 sees the same
    inputs in both runs, so its layer-wise integers are the same; later
    blocks see block 0's refined output."""
    first = [n for n in lw if n.startswith(first_prefix)]
    same_q = sorted(lw) == sorted(bw) and len(first) == first_count and all(
        np.array_equal(lw[n][0], bw[n][0]) for n in first)
    moved = sum(not np.array_equal(lw[n][1], bw[n][1]) for n in first)
    print("layers: %d, block 0 integers frozen: %s, scales moved in %d"
          % (len(bw), "ok" if same_q else "FAIL", moved))
    want = sorted(want)
    floats_moved = all(
        not np.allclose(floats[n], params[n].detach().numpy(), rtol=0,
                        atol=1e-6) for n in want if n in floats)
    good_floats = sorted(floats) == want and floats_moved
    print("%s floats: %d, all moved: %s"
          % (label, len(floats), "ok" if good_floats
             else "FAIL %s" % sorted(floats)))
    return same_q and moved > 0 and good_floats


def check_block_losses(blocks, hidden, targets_of, run, m_lw, m_bw, report):
    """Each block's loss after training, recomputed here as mean((run(m_bw,
    i, h) - t)²) over the windows' block inputs h and targets_of(i, hidden),
    against the report's; and block 0's before, through the layer-wise
    model m_lw (in later blocks only the inputs are known, so only
    "after"). hidden: block 0's inputs; each block's m_bw output feeds the
    next."""
    ok = True
    for i in range(blocks):
        targets = targets_of(i, hidden)

        def loss(m):
            return float(np.mean([torch.mean((run(m, i, h) - t) ** 2)
                                  for h, t in zip(hidden, targets)]))
        after = loss(m_bw)
        r = report[i]
        rel = abs(after - r["loss_after"]) / after
        good = rel < 1e-4 and r["kept"] and \
            r["loss_after"] < r["loss_before"]
        line = "block %d: after %.6e (report %.6e, rel %.1e)" % (
            i, after, r["loss_after"], rel)
        if i == 0:
            before = loss(m_lw)
            rel0 = abs(before - r["loss_before"]) / before
            good &= rel0 < 1e-4
            line += ", before %.6e (report %.6e, rel %.1e)" % (
                before, r["loss_before"], rel0)
        print("%s: %s" % (line, "ok" if good else "FAIL"))
        ok &= good
        hidden = [run(m_bw, i, h) for h in hidden]
    return ok


def cmd_score(a):
    import dqrt
    m64, m32 = tiny_model(a.seed).double(), tiny_model(a.seed)
    ck = os.path.join(a.dir, "bw.safetensors")
    apply(m64, ck)
    apply(m32, ck)
    rt = dqrt.Runtime(threads=2)
    score = rt.load(os.path.join(a.dir, "score_bw.ll.mlir"))["score"]
    seq = score.arg_types[0].shape[1]
    ok = True
    for i, ids in enumerate(windows(a.seed + 13, 3, seq, m64.cfg["vocab"])):
        (lp,) = score(ids)
        with torch.no_grad():
            t = torch.from_numpy(ids)
            ok &= check("block-wise score %d" % i, lp, m64.score(t).numpy(),
                        m32.score(t).numpy())
    return ok


def cmd_same(a):
    """Two checkpoints with equal layers and floats, bit for bit."""
    la, _ = dqfiles.read_quantized_model(a.dir)
    lb, _ = dqfiles.read_quantized_model(a.other)
    fa = dqfiles.read_quantized_floats(a.dir)
    fb = dqfiles.read_quantized_floats(a.other)
    same = sorted(la) == sorted(lb) and sorted(fa) == sorted(fb) and all(
        all(np.array_equal(x, y) for x, y in zip(la[n], lb[n])) for n in la) \
        and all(np.array_equal(fa[n], fb[n]) for n in fa)
    print("same layers and floats: %d layers, %d floats: %s"
          % (len(la), len(fa), "ok" if same and fa else "FAIL"))
    return same and bool(fa)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=("checkpoints", "score", "same"))
    ap.add_argument("dir", help="the folder, or (same) the first checkpoint")
    ap.add_argument("other", nargs="?", help="same: the second checkpoint")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--window", type=int, default=16)
    ap.add_argument("--windows", type=int, default=8)
    a = ap.parse_args()
    if a.command != "same" and a.seed is None:
        ap.error("--seed is required")
    ok = {"checkpoints": cmd_checkpoints, "score": cmd_score,
          "same": cmd_same}[a.command](a)
    print("check_blockwise %s: %s" % (a.command, "ok" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
