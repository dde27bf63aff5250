"""decoupleQ's second stage, block-wise minimization, for any block that a
forward function describes (examples/llm/blockwise.py: Llama;
examples/minilm/sequential.py: BERT).

With the integers Q of a block's linears frozen, Adam trains their scales s
and offsets z, and chosen float parameters of the block (its norms), so
that the quantized block's output matches a target on the calibration
windows:

    loss = mean((forward(h, {name: s·Q + z}) - t)²)   over every window h

The targets t are the float block's output on the same inputs (the
reference's) or the float model's states at that depth; the caller
computes them. The result is kept only where it lowers the loss measured
over all windows after the scales are rounded to their storage type;
otherwise the layer-wise result and the float parameters' old values stay.
"""

import time

import numpy as np
import torch
import torch.nn.functional as F


class Settings:
    """Adam's settings; the defaults are the reference's (lr 1e-5, betas
    0.9/0.99, eps 2e-5, weight decay 1e-6, one window per step, 4
    epochs). norms: train the block's float parameters too."""

    def __init__(self, epochs=4, lr=1e-5, weight_decay=1e-6, norms=True,
                 target="block"):
        self.epochs, self.lr = epochs, lr
        self.weight_decay, self.norms = weight_decay, norms
        self.target = target

    def as_dict(self):
        return {"epochs": self.epochs, "lr": self.lr,
                "weight_decay": self.weight_decay, "norms": self.norms,
                "target": self.target}


class Decoupled:
    """One linear as trainable (s, z) over frozen Q, in float32. s and z
    come in their storage type (float16 or float32), which stored()
    rounds back to."""

    def __init__(self, q, s, z):
        if s.dtype not in (np.float16, np.float32) or z.dtype != s.dtype:
            raise ValueError("block-wise minimization needs float16 or "
                             "float32 scales and offsets, got %s and %s"
                             % (s.dtype, z.dtype))
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


def mean_loss(forward, hidden, targets, weights):
    with torch.no_grad():
        total = sum(F.mse_loss(forward(h, weights), t).item()
                    for h, t in zip(hidden, targets))
    return total / len(hidden)


def minimize(forward, hidden, targets, layers, floats, settings, log):
    """Trains the block. forward(h, weights): the block's output for inputs
    h with the linears' weights from weights ({name: [N, K] tensor});
    layers: {name: (q, s, z)} numpy arrays as the layer-wise quantization
    left them; floats: {name: parameter} the block's float parameters,
    trained in place when settings.norms (restored when the result is not
    kept). Returns ({name: (q, s, z)} in the storage type, report)."""
    t0 = time.time()
    lin = {n: Decoupled(*qsz) for n, qsz in layers.items()}
    params = [p for d in lin.values() for p in (d.s, d.z)]
    start = {n: p.detach().clone() for n, p in floats.items()}
    if settings.norms:
        params += list(floats.values())
    for p in floats.values():
        p.requires_grad_(settings.norms)

    def current(rounded):
        return {n: d.weight(rounded) for n, d in lin.items()}

    before = mean_loss(forward, hidden, targets, current(True))
    opt = torch.optim.Adam(params, lr=settings.lr, betas=(0.9, 0.99),
                           eps=2e-5, weight_decay=settings.weight_decay)
    epochs = []
    for _ in range(settings.epochs):
        total = 0.0
        for h, t in zip(hidden, targets):
            loss = F.mse_loss(forward(h, current(False)), t)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        epochs.append(total / len(hidden))
    for p in floats.values():
        p.requires_grad_(False)
    after = mean_loss(forward, hidden, targets, current(True))
    kept = after < before
    if kept:
        result = {n: (layers[n][0],) + d.stored() for n, d in lin.items()}
    else:
        result = dict(layers)
        with torch.no_grad():
            for n, p in floats.items():
                p.copy_(start[n])
    report = {"loss_before": before, "loss_after": after, "kept": kept,
              "epoch_losses": epochs, "seconds": time.time() - t0}
    log("  block-wise: loss %.4e -> %.4e (%s; epochs %s; %.0f s)"
        % (before, after, "kept" if kept else "worse, layer-wise kept",
           " ".join("%.3e" % e for e in epochs), report["seconds"]))
    return result, report
