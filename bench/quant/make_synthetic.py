#!/usr/bin/env python3
"""Writes a synthetic layer for timing: W [N, K] with heavy-tailed weights
(Student-t, 3 dof) and H = XᵀX/T from correlated activations (a rank-r
latent signal plus noise, with log-normal per-channel scales and a few
outlier channels, as in transformer activations).

  make_synthetic.py OUT_DIR [--n 4096] [--k 4096] [--tokens 8192] [--seed 0]
writes OUT_DIR/W.npy (float32) and OUT_DIR/H.npy (float64).
"""
import argparse
import os

import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--n", type=int, default=4096)
    p.add_argument("--k", type=int, default=4096)
    p.add_argument("--tokens", type=int, default=8192)
    p.add_argument("--rank", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.out, exist_ok=True)

    w = rng.standard_t(3, size=(a.n, a.k)) * (0.02 / np.sqrt(3.0))
    np.save(os.path.join(a.out, "W.npy"), w.astype(np.float32))

    scale = np.exp(rng.normal(0.0, 0.5, size=a.k))
    scale[rng.choice(a.k, size=max(1, a.k // 256), replace=False)] *= 10.0
    mix = rng.normal(size=(a.rank, a.k)) / np.sqrt(a.rank)
    h = np.zeros((a.k, a.k))
    chunk = 1024
    for t0 in range(0, a.tokens, chunk):
        t = min(chunk, a.tokens - t0)
        x = rng.normal(size=(t, a.rank)) @ mix + 0.5 * rng.normal(size=(t, a.k))
        x *= scale
        h += x.T @ x
    h /= a.tokens
    h = 0.5 * (h + h.T)
    np.save(os.path.join(a.out, "H.npy"), h)
    print("wrote %s/W.npy [%d, %d] and H.npy [%d, %d]" % (a.out, a.n, a.k,
                                                           a.k, a.k))


if __name__ == "__main__":
    main()
