"""check_mlp.py MODULE X.npy Y.npy: an example MLP's `forward` against float64.

The reference is the float64 forward pass with the module's own weights
(decoded by scripts/dqgen.py, independent of dq's C++). Bound per element
(rigorous, u = 2^-24, float32 everywhere in the compiled code):

  layer 1: m1 = x W1^T in f32 from f32 weights w = fl(fl(s q) + z):
           |m1 - x W1^T| <= (K1 + 2) u * (|x| (|W1| + |s1 q1|)^T)  (as in
           scripts/check_matmul.py), then h = max(fl(m1 + b1), 0) adds
           u |m1 + b1|, and max(., 0) does not grow errors:
           e1 = (K1 + 2) u |x|(|W1| + |s1 q1|)^T + u (|m1| + |b1|)
  layer 2: the same for h W2^T, plus h's error carried through W2:
           e2 = |W2| e1 + (K2 + 2) u (|h| + e1)(|W2| + |s2 q2|)^T
                + u (|m2| + |b2|)
with a 1% margin for the O(u^2) terms. Exits 1 naming the worst element.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "..", "scripts"))
import dqgen  # noqa: E402

U = 2.0 ** -24


def main():
    weights, floats = dqgen.read_module(sys.argv[1])
    x = np.load(sys.argv[2]).astype(np.float64)
    y = np.load(sys.argv[3]).astype(np.float64)
    layers = []
    for name, bias in (("w1", "b1"), ("w2", "b2")):
        wq = weights[name]
        w = dqgen.dequantize(wq["q"], wq["s"], wq["z"], wq["group"])
        sq = np.abs(dqgen.expand_groups(wq["s"], wq["group"]) * wq["q"])
        layers.append((w, sq, floats[bias]))
    (w1, sq1, b1), (w2, sq2, b2) = layers
    m1 = x @ w1.T
    h = np.maximum(m1 + b1, 0.0)
    m2 = h @ w2.T
    ref = m2 + b2
    e1 = ((w1.shape[1] + 2) * U * (np.abs(x) @ (np.abs(w1) + sq1).T) +
          U * (np.abs(m1) + np.abs(b1)))
    e2 = (e1 @ np.abs(w2).T +
          (w2.shape[1] + 2) * U * ((np.abs(h) + e1) @ (np.abs(w2) + sq2).T) +
          U * (np.abs(m2) + np.abs(b2)))
    bound = 1.01 * e2
    err = np.abs(y - ref)
    ratio = err / bound
    worst = np.unravel_index(np.argmax(ratio), ratio.shape)
    print("check_mlp: %d elements, max err %.3g, max err/bound %.3g" %
          (y.size, err.max(), ratio.max()))
    if not np.all(err <= bound):
        print("check_mlp: FAIL at %s: got %r, want %r, bound %.3g" %
              (worst, y[worst], ref[worst], bound[worst]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
