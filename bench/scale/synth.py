#!/usr/bin/env python3
"""Synthetic calibration statistics shaped like a decoder LLM's linears.

Real weights and Hessians of a 7B model are tens of GB: they are drawn here
at run time instead (never committed), one group of layers at a time, with
the properties the quantizer is sensitive to:

- weights: heavy tails (Tukey's h transform z·exp(h z²/2) of a normal z,
  h = 0.2: tails like a Student-t with 5 degrees of freedom, one normal
  draw per weight) with per-row scales (log-normal), as trained
  transformer weights have;
- H = E[x xᵀ] of activations x = c ⊙ (M z + σ ε): a rank-r latent signal z
  mixed into every channel (correlated activations), isotropic noise, and
  per-channel scales c (log-normal, with 1 channel in 256 an outlier x10, as
  LLM activations have). H = diag(c) (MᵀM + σ² I) diag(c) is formed
  exactly (in float32: K² r multiply-adds), without drawing tokens.

Layers that read the same activations share one H, as in a real model: q,
k and v read the attention input, gate and up the MLP input. Every array
comes from a generator seeded by (seed, block, kind), so any group can be
drawn alone, in any order, with the same bits: a resumed or sharded run
quantizes exactly what an uninterrupted one does.

  synth.py --model llama2-7b --list        the groups and their shapes
  synth.py --model tiny --write DIR GROUP  W.npy and H.npy of one group
"""
import argparse
import os
import sys

import numpy as np

# name: (blocks, hidden, ffn, latent rank)
MODELS = {
    "llama2-7b": (32, 4096, 11008, 256),
    "llama2-13b": (40, 5120, 13824, 256),
    "tiny": (3, 64, 192, 8),
}

# Per block, in the reference's order: (group suffix, K source, layers with
# their output rows as a function of (hidden, ffn)).
_GROUPS = (
    ("self_attn.qkv", "hidden", (("self_attn.q_proj", "hidden"),
                                 ("self_attn.k_proj", "hidden"),
                                 ("self_attn.v_proj", "hidden"))),
    ("self_attn.o", "hidden", (("self_attn.o_proj", "hidden"),)),
    ("mlp.gate_up", "hidden", (("mlp.gate_proj", "ffn"),
                               ("mlp.up_proj", "ffn"))),
    ("mlp.down", "ffn", (("mlp.down_proj", "hidden"),)),
)


# Tukey's h of the weights' tails.
_TUKEY_H = 0.2


class Group:
    """Layers that share one H: name, K, [(layer name, rows)], and what
    seeds its arrays."""

    def __init__(self, name, k, layers, block, kind):
        self.name, self.k, self.layers = name, k, layers
        self.block, self.kind = block, kind

    @property
    def rows(self):
        return sum(n for _, n in self.layers)


def groups(model, blocks=None):
    """The model's groups, block by block."""
    if model not in MODELS:
        raise ValueError("unknown synthetic model %r (known: %s)"
                         % (model, ", ".join(sorted(MODELS))))
    nblocks, hidden, ffn, _ = MODELS[model]
    dims = {"hidden": hidden, "ffn": ffn}
    out = []
    for b in range(nblocks if blocks is None else min(blocks, nblocks)):
        for kind, (suffix, kdim, layers) in enumerate(_GROUPS):
            prefix = "model.layers.%d." % b
            out.append(Group(prefix + suffix, dims[kdim],
                             [(prefix + name, dims[n]) for name, n in layers],
                             b, kind))
    return out


def _rng(seed, group, what):
    return np.random.default_rng([seed, group.block, group.kind, what])


def hessian(model, group, seed=0):
    """H [K, K] float32 of the group's input activations."""
    rank = MODELS[model][3]
    k = group.k
    rng = _rng(seed, group, 0)
    c = np.exp(rng.normal(0.0, 0.5, size=k))
    c[rng.choice(k, size=max(1, k // 256), replace=False)] *= 10.0
    c = c.astype(np.float32)
    m = rng.standard_normal((rank, k), dtype=np.float32)
    m *= np.float32(1 / np.sqrt(rank))
    h = m.T @ m
    h[np.diag_indices(k)] += np.float32(0.25)  # σ = 0.5
    h *= c[:, None]
    h *= c[None, :]
    return h


def weights(model, group, seed=0):
    """The group's weights stacked by rows, [Σ N, K] float32, and the
    (layer, first row, rows) of each."""
    parts, spans, row = [], [], 0
    for i, (name, n) in enumerate(group.layers):
        rng = _rng(seed, group, 1 + i)
        # Tukey's h: E[(z·exp(h z²/2))²] = (1 - 2h)^(-3/2), so the scale
        # below makes the standard deviation 0.02 before the row scales.
        w = rng.standard_normal((n, group.k), dtype=np.float32)
        w *= np.exp(np.float32(_TUKEY_H / 2) * w * w)
        w *= (0.02 * (1 - 2 * _TUKEY_H) ** 0.75 * np.exp(
            rng.normal(0.0, 0.2, size=(n, 1)))).astype(np.float32)
        parts.append(w)
        spans.append((name, row, n))
        row += n
    return np.concatenate(parts), spans


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="llama2-7b", choices=sorted(MODELS))
    p.add_argument("--blocks", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--list", action="store_true")
    p.add_argument("--write", nargs=2, metavar=("DIR", "GROUP"))
    a = p.parse_args()
    gs = groups(a.model, a.blocks)
    if a.list:
        for g in gs:
            print("%-32s K=%-6d rows=%-6d %s" % (g.name, g.k, g.rows,
                                                 " ".join(n for n, _ in
                                                          g.layers)))
        print("%d layers in %d groups" % (sum(len(g.layers) for g in gs),
                                           len(gs)))
    if a.write:
        out, name = a.write
        match = [g for g in gs if g.name == name]
        if not match:
            sys.exit("synth.py: no group %r (see --list)" % name)
        os.makedirs(out, exist_ok=True)
        w, _ = weights(a.model, match[0], a.seed)
        np.save(os.path.join(out, "W.npy"), w)
        np.save(os.path.join(out, "H.npy"), hessian(a.model, match[0], a.seed))


if __name__ == "__main__":
    main()
