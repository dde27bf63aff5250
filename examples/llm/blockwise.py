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
epochs; run_llm.py's decoupleq-bw uses lr 1e-3 and target "model"). The result is kept only where it
lowers the loss measured over all windows after the scales are rounded to
their storage type; otherwise the layer-wise result stays.
"""

import time

import numpy as np
import torch
import torch.nn.functional as F

NORMS = ("input_layernorm", "post_attention_layernorm")


class Settings:
    def __init__(self, epochs=4, lr=1e-5, weight_decay=1e-6, norms=True,
                 target="block"):
        self.epochs, self.lr = epochs, lr
        self.weight_decay, self.norms = weight_decay, norms
        self.target = target

    def as_dict(self):
        return {"epochs": self.epochs, "lr": self.lr,
                "weight_decay": self.weight_decay, "norms": self.norms,
                "target": self.target}


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


class Decoupled:
    """One linear as trainable (s, z) over frozen Q, in float32."""

    def __init__(self, q, s, z):
        self.storage = s.dtype
        self.q = torch.from_numpy(q.astype(np.float32))
        self.group = q.shape[1] // s.shape[1]
        self.s = torch.from_numpy(s.astype(np.float32)).requires_grad_()
        self.z = torch.from_numpy(z.astype(np.float32)).requires_grad_()

    def weight(self, rounded=False):
        """s·Q + z; rounded: with s and z as the checkpoint stores them."""
        s, z = self.s, self.z
        if rounded:
            s, z = (torch.from_numpy(a.astype(np.float32))
                    for a in self.stored())
        return (s.repeat_interleave(self.group, dim=1) * self.q +
                z.repeat_interleave(self.group, dim=1))

    def stored(self):
        """(s, z) rounded to the checkpoint's storage type."""
        return (self.s.detach().numpy().astype(self.storage),
                self.z.detach().numpy().astype(self.storage))


def mean_loss(model, block, hidden, targets, weights):
    with torch.no_grad():
        total = sum(F.mse_loss(block_forward(model, block, h, weights),
                               t).item() for h, t in zip(hidden, targets))
    return total / len(hidden)


def minimize(model, block, hidden, targets, layers, settings, log):
    """Trains the block in place. layers: {short name: (q, s, z)} with
    numpy arrays as the layer-wise quantization left them; returns
    ({short name: (q, s, z)}, {norm: float32 weight}, report), the layers
    in their storage type, the norms as the block now holds them."""
    t0 = time.time()
    lin = {n: Decoupled(*qsz) for n, qsz in layers.items()}
    norms = [getattr(block, n).weight for n in NORMS]
    start_norms = [w.detach().clone() for w in norms]
    params = [p for d in lin.values() for p in (d.s, d.z)]
    if settings.norms:
        params += norms
    for w in norms:
        w.requires_grad_(settings.norms)

    def current(rounded):
        return {n: d.weight(rounded) for n, d in lin.items()}

    before = mean_loss(model, block, hidden, targets, current(True))
    opt = torch.optim.Adam(params, lr=settings.lr, betas=(0.9, 0.99),
                           eps=2e-5, weight_decay=settings.weight_decay)
    epochs = []
    for _ in range(settings.epochs):
        total = 0.0
        for h, t in zip(hidden, targets):
            loss = F.mse_loss(block_forward(model, block, h, current(False)),
                              t)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        epochs.append(total / len(hidden))
    for w in norms:
        w.requires_grad_(False)
    after = mean_loss(model, block, hidden, targets, current(True))
    kept = after < before
    if kept:
        result = {n: (layers[n][0],) + d.stored() for n, d in lin.items()}
    else:
        result = dict(layers)
        with torch.no_grad():
            for w, w0 in zip(norms, start_norms):
                w.copy_(w0)
    report = {"loss_before": before, "loss_after": after, "kept": kept,
              "epoch_losses": epochs, "seconds": time.time() - t0}
    log("  block-wise: loss %.4e -> %.4e (%s; epochs %s; %.0f s)"
        % (before, after, "kept" if kept else "worse, layer-wise kept",
           " ".join("%.3e" % e for e in epochs), report["seconds"]))
    norm_values = {n: getattr(block, n).weight.detach().numpy().copy()
                   for n in NORMS}
    return result, norm_values, report
