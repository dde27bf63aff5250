# Writes a statistics file whose layers saw few tokens:
#   thin_stats.py OUT name:K:T [...]   H = XᵀX / T of T random rows (rank T)
#   thin_stats.py weight OUT.npy N K    a random float32 weight
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "..", "scripts"))
import dqfiles  # noqa: E402

rng = np.random.default_rng(int.from_bytes(os.urandom(4), "little"))
if sys.argv[1] == "weight":
    n, k = int(sys.argv[3]), int(sys.argv[4])
    np.save(sys.argv[2], (0.05 * rng.standard_normal((n, k))).astype(
        np.float32))
    sys.exit(0)
layers = {}
for spec in sys.argv[2:]:
    name, k, t = spec.split(":")
    x = rng.standard_normal((int(t), int(k)))
    layers[name] = (x.T @ x / int(t), int(t))
dqfiles.write_stats(sys.argv[1], layers, "thin_stats.py")
