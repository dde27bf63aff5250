# Writes a calibration statistics file for the quantize tests:
#   make_stats.py OUT name:K [name:K ...]
# Each layer's H = XᵀX / T of random Gaussian rows (T = 4 K), correlated
# through a random mixing matrix so that H is far from diagonal.
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "scripts"))
import dqfiles  # noqa: E402

rng = np.random.default_rng(1)
layers = {}
for spec in sys.argv[2:]:
    name, k = spec.rsplit(":", 1)
    k = int(k)
    x = rng.standard_normal((4 * k, k)) @ rng.standard_normal((k, k))
    layers[name] = (x.T @ x / len(x), len(x))
dqfiles.write_stats(sys.argv[1], layers, "make_stats.py")
