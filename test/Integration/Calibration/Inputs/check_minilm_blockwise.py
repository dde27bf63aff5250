"""Drives and checks MiniLM's block-wise minimization
(examples/minilm/sequential.py's sequential_blockwise, run_minilm.py's
decoupleq-bw) on the tiny random BERT of tiny_bert.py.

  check_minilm_blockwise.py quantize DIR --seed S --target T
      runs sequential_blockwise on random calibration windows, layer-wise
      only (DIR/lw.safetensors) and with the block-wise stage
      (DIR/bw.safetensors, its per-block report DIR/bw.json), written the
      way run_minilm.py writes them
  check_minilm_blockwise.py checkpoints DIR --seed S --target T
      independently of sequential.py and block_minimize.py:
      - block 0's integers Q are the layer-wise ones (frozen), its scales
        moved;
      - the four LayerNorm parameters of every block are in the checkpoint
        as float tensors, moved from the model's;
      - each block's loss after training (and block 0's before), recomputed
        here in float64 through a BERT block written out below (not
        transformers'), equals the report's, and training lowered it
  check_minilm_blockwise.py score DIR --seed S
      the compiled DIR/bw.ll.mlir (the checkpoint imported by
      --dq-quantize) against float64 PyTorch with the checkpoint applied
      here (s·Q + z in float64, the LayerNorms copied)
  check_minilm_blockwise.py padded DIR --seed S
      calibration with padding is refused with a message

Bound for the losses: check_blockwise.py's (test/Integration/LLM/Inputs),
1e-4 relative; the 2-bit losses here are larger than its 4-bit ones, so
the float32 rounding of the report's is a smaller part of them.
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..", "..")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "examples", "minilm"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "runtime", "python"))
sys.path.insert(0, os.path.join(ROOT, "test", "Integration", "LLM", "Inputs"))
import dqfiles  # noqa: E402
import tiny_bert  # noqa: E402
# The LLM checker's, which take any model: apply() loads a checkpoint's
# s·Q + z in float64 and its floats by module and parameter names; the
# checks compare two checkpoints and recompute the per-block losses.
from check_blockwise import (apply, check_block_losses,  # noqa: E402
                             check_frozen_and_floats)

NORMS = ("attention.output.LayerNorm.weight",
         "attention.output.LayerNorm.bias", "output.LayerNorm.weight",
         "output.LayerNorm.bias")
BITS, GROUP = 2, 16


def calibration(seed, padded=False):
    """Six batches of two all-real-token windows of tiny_bert.SEQ."""
    g = torch.Generator().manual_seed(seed + 1)
    out = []
    for _ in range(6):
        ids = torch.randint(0, 64, (2, tiny_bert.SEQ), generator=g)
        mask = torch.ones_like(ids)
        if padded:
            mask[1, -3:] = 0
        out.append((ids, mask))
    return out


def cmd_quantize(a):
    import block_minimize
    import sequential
    calib = calibration(a.seed)
    for name, settings in (("lw", None), ("bw", block_minimize.Settings(
            epochs=8, lr=1e-3, target=a.target))):
        model = tiny_bert.build_model(a.seed)
        layers, floats, errors, reports = sequential.sequential_blockwise(
            model, calib, "decoupleq", BITS, GROUP, a.dq_quant, settings,
            log=print)
        dqfiles.write_quantized_model(
            os.path.join(a.dir, name + ".safetensors"),
            {n: (q, s, z, BITS) for n, (q, s, z) in layers.items()},
            "check_minilm_blockwise.py", floats=floats)
        if settings:
            with open(os.path.join(a.dir, name + ".json"), "w") as f:
                json.dump(reports, f)
    return True


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def bert_block(model, i, h):
    """BERT's post-LayerNorm encoder block i, written out in float64:
    attention without a mask, GELU with erf."""
    p = {n: t for n, t in model.named_parameters()}
    pre = "bert.encoder.layer.%d." % i
    cfg = model.bert.config
    heads = cfg.num_attention_heads
    eps = cfg.layer_norm_eps

    def linear(name, x):
        return x @ p[pre + name + ".weight"].T + p[pre + name + ".bias"]

    b, n, d = h.shape
    hd = d // heads

    def split(x):
        return x.view(b, n, heads, hd).transpose(1, 2)

    q = split(linear("attention.self.query", h))
    k = split(linear("attention.self.key", h))
    v = split(linear("attention.self.value", h))
    attn = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd), -1) @ v
    attn = attn.transpose(1, 2).reshape(b, n, d)
    mid = layer_norm(h + linear("attention.output.dense", attn),
                     p[pre + NORMS[0]], p[pre + NORMS[1]], eps)
    x = linear("intermediate.dense", mid)
    x = 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))
    return layer_norm(mid + linear("output.dense", x), p[pre + NORMS[2]],
                      p[pre + NORMS[3]], eps)


def embed(model, ids):
    return model.bert.embeddings(input_ids=ids,
                                 token_type_ids=torch.zeros_like(ids))


def cmd_checkpoints(a):
    lw, _ = dqfiles.read_quantized_model(os.path.join(a.dir, "lw.safetensors"))
    fp = tiny_bert.build_model(a.seed).double()
    m_lw = tiny_bert.build_model(a.seed).double()
    m_bw = tiny_bert.build_model(a.seed).double()
    apply(m_lw, os.path.join(a.dir, "lw.safetensors"))
    bw, floats = apply(m_bw, os.path.join(a.dir, "bw.safetensors"))
    with open(os.path.join(a.dir, "bw.json")) as f:
        report = json.load(f)

    blocks = fp.bert.config.num_hidden_layers
    want = ["bert.encoder.layer.%d.%s" % (i, n)
            for i in range(blocks) for n in NORMS]
    ok = check_frozen_and_floats(lw, bw, floats, "bert.encoder.layer.0.", 6,
                                 want, dict(fp.named_parameters()),
                                 "LayerNorm")

    calib = calibration(a.seed)
    states = [embed(fp, ids) for ids, _ in calib]

    def targets_of(i, hidden):
        # Target "model": the float model's states at this depth; "block":
        # the float block on the quantized model's inputs.
        states[:] = [bert_block(fp, i, s) for s in states]
        return (list(states) if a.target == "model" else
                [bert_block(fp, i, h) for h in hidden])

    with torch.no_grad():
        ok &= check_block_losses(blocks, [embed(m_bw, ids) for ids, _ in calib],
                                 targets_of, bert_block, m_lw, m_bw, report)
    return ok


def cmd_score(a):
    import dqrt
    from check_tiny_llama import check
    m64 = tiny_bert.build_model(a.seed).double()
    m32 = tiny_bert.build_model(a.seed)
    ck = os.path.join(a.dir, "bw.safetensors")
    apply(m64, ck)
    apply(m32, ck)
    rt = dqrt.Runtime(threads=2)
    forward = rt.load(os.path.join(a.dir, "bw.ll.mlir"))["forward"]
    rng = np.random.default_rng(a.seed + 13)
    ok = True
    for i in range(3):
        ids = rng.integers(0, 64, (1, tiny_bert.SEQ)).astype(np.int64)
        mask = np.ones_like(ids)
        mask[0, tiny_bert.SEQ - 2 * i:] = 0   # padding too, off calibration
        (emb,) = forward(ids, mask)
        with torch.no_grad():
            t = (torch.from_numpy(ids), torch.from_numpy(mask))
            ok &= check("block-wise embedding %d" % i, emb,
                        m64(*t).numpy(), m32(*t).numpy())
    return ok


def cmd_padded(a):
    import block_minimize
    import sequential
    try:
        sequential.sequential_blockwise(
            tiny_bert.build_model(a.seed), calibration(a.seed, padded=True),
            "decoupleq", BITS, GROUP, a.dq_quant, block_minimize.Settings(),
            log=print)
    except ValueError as e:
        print("refused: %s" % e)
        return True
    print("padded calibration was accepted")
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command",
                    choices=("quantize", "checkpoints", "score", "padded"))
    ap.add_argument("dir")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--target", choices=("block", "model"), default="model")
    ap.add_argument("--dq-quant")
    a = ap.parse_args()
    ok = {"quantize": cmd_quantize, "checkpoints": cmd_checkpoints,
          "score": cmd_score, "padded": cmd_padded}[a.command](a)
    print("check_minilm_blockwise %s: %s" % (a.command,
                                             "ok" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
