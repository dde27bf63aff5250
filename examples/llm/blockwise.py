"""decoupleQ's second stage, block-wise minimization (docs/llm.md,
"Block-wise minimization"): with the integers Q of a block's linears
frozen, train their scales s and offsets z, and the block's two RMSNorm
weights, so that the quantized block's output matches the float block's on
the calibration windows.

    loss = mean((block_q(h) - block_float(h))²)   over every window h

where h are the block's inputs from the already-quantized earlier blocks
(target "block", the reference's), or

    loss = mean((block_q(h) - f)²)

with f the float model's own states at that depth (target "model"; the
caller carries them). Adam, by default with the reference's settings (lr
1e-5, betas 0.9/0.99, eps 2e-5, weight decay 1e-6, one window per step, 4
epochs; run_llm.py's decoupleq-bw uses lr 1e-3 and target "model"). The
training is scripts/block_minimize.py's, shared with MiniLM's: the result
is kept only where it lowers the loss measured over all windows after the
scales are rounded to their storage type; otherwise the layer-wise result
stays.
"""

import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts"))
import block_minimize  # noqa: E402
from block_minimize import Settings  # noqa: E402,F401  (quantize_llm's)

NORMS = ("input_layernorm", "post_attention_layernorm")


def block_forward(model, block, h, weights):
    """The block's output for inputs h [1, L, d], with the linears' weights
    taken from `weights` ({"self_attn.q_proj": [N, K] tensor, ...}), so that
    the same code runs the float block and the one built from s·Q + z."""
    c = model.cfg
    n = h.shape[1]
    heads, kv, hd = c["heads"], c["kv_heads"], c["head_dim"]
    positions = torch.arange(n, dtype=torch.float32)
    x = block.input_layernorm(h)
    q = F.linear(x, weights["self_attn.q_proj"]).view(1, n, heads, hd)
    k = F.linear(x, weights["self_attn.k_proj"]).view(1, n, kv, hd)
    v = F.linear(x, weights["self_attn.v_proj"]).view(1, n, kv, hd)
    q = model._rope(q.transpose(1, 2), positions)
    k = model._rope(k.transpose(1, 2), positions)
    v = v.transpose(1, 2)
    k = k.repeat_interleave(heads // kv, dim=1)
    v = v.repeat_interleave(heads // kv, dim=1)
    attn = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    attn = attn.transpose(1, 2).reshape(1, n, -1)
    mid = h + F.linear(attn, weights["self_attn.o_proj"])
    x = block.post_attention_layernorm(mid)
    act = F.silu(F.linear(x, weights["mlp.gate_proj"])) * \
        F.linear(x, weights["mlp.up_proj"])
    return mid + F.linear(act, weights["mlp.down_proj"])


def module_weights(block, names):
    modules = dict(block.named_modules())
    return {n: modules[n].weight.detach() for n in names}


def minimize(model, block, hidden, targets, layers, settings, log):
    """Trains the block in place. layers: {short name: (q, s, z)} with
    numpy arrays as the layer-wise quantization left them; returns
    ({short name: (q, s, z)}, {norm: float32 weight}, report), the layers
    in their storage type, the norms as the block now holds them."""
    norms = {n: getattr(block, n).weight for n in NORMS}
    result, report = block_minimize.minimize(
        lambda h, w: block_forward(model, block, h, w), hidden, targets,
        layers, norms, settings, log)
    norm_values = {n: w.detach().numpy().copy() for n, w in norms.items()}
    return result, norm_values, report
