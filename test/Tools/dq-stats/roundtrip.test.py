# Helper of roundtrip.test: writes two runs' statistics, then checks the
# merged file against statistics of all rows accumulated at once.
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "scripts"))
import dqfiles  # noqa: E402

mode, out = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)
runs = {"a": 11, "b": 7}
xs = {name: {"fc1": rng.standard_normal((t, 6)),
             "fc2": rng.standard_normal((t, 3)) * 10}
      for name, t in runs.items()}
if mode == "write":
    for name, t in runs.items():
        dqfiles.write_stats(os.path.join(out, name + ".safetensors"),
                            {l: (x.T @ x / t, t) for l, x in xs[name].items()},
                            "test")
else:
    layers, meta = dqfiles.read_stats(os.path.join(out, "ab.safetensors"))
    assert meta["producer"] == "dq-stats merge", meta
    for layer in ("fc1", "fc2"):
        x = np.concatenate([xs["a"][layer], xs["b"][layer]])
        want = x.T @ x / len(x)
        h, t = layers[layer]
        err = np.abs(h - want).max() / np.abs(want).max()
        # A T-weighted average of two float64 matrices: a few ulps.
        print("merged %s T=%d max rel err %.2e %s" %
              (layer, t, err, "ok" if t == len(x) and err < 1e-14 else "BAD"))
