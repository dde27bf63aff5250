# Helper of calibrate-torch-linear.test.
import os
import sys

import numpy as np

SCRIPTS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts")
sys.path.insert(0, SCRIPTS)
import dqfiles  # noqa: E402
import dqgen  # noqa: E402

mode, out = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(3)
samples = [rng.standard_normal((3, 5, 8)).astype(np.float32) for _ in range(5)]
if mode == "make":
    for i, x in enumerate(samples):
        np.save(os.path.join(out, "samples", "s%d.npy" % i), x)
    sys.exit(0)

text = open(sys.argv[3]).read()
blobs = dqgen.read_blobs(text)
w1 = np.frombuffer(blobs["fc1"], "<f4").reshape(6, 8).astype(np.float64)
b1 = np.frombuffer(blobs["fc1.bias"], "<f4").astype(np.float64)
x = np.concatenate([s.reshape(-1, 8) for s in samples]).astype(np.float64)
pre = x @ w1.T + b1
h = np.maximum(pre, 0.0)
# The module computes h in f32: each pre-activation within
# e = (K + 2) u (sum_k |x_k w_k| + |b|) of the float64 one (u = 2^-24), and
# ReLU does not increase that; so |dH_ij| <= (1/T) sum_r (e_ri |h_rj| +
# |h_ri| e_rj) to first order, plus float64 rounding.
e = (8 + 2) * 2.0 ** -24 * (np.abs(x) @ np.abs(w1).T + np.abs(b1))
u64 = 2.0 ** -52
want = {
    "fc1": (x.T @ x / len(x), np.zeros((8, 8)), np.abs(x)),
    "fc2": (h.T @ h / len(h), (e.T @ np.abs(h) + np.abs(h).T @ e) / len(h),
            np.abs(h)),
}
layers, meta = dqfiles.read_stats(os.path.join(out, "stats.safetensors"))
assert meta["producer"] == "dq-run --calibrate", meta
for name in ("fc1", "fc2"):
    got, tokens = layers[name]
    ref, bound, a = want[name]
    # Plus float64 accumulation, in any order, of T products: at most
    # (T + 1) u64 sum_r |a_ri a_rj| / T, for the runtime and for numpy.
    bound = 1.01 * (bound + 2 * (len(x) + 1) * u64 * (a.T @ a) / len(x))
    ok = tokens == len(x) and np.all(np.abs(got - ref) <= bound)
    print("%s: T=%d %s (max err/bound %.3g)" % (
        name, tokens, "ok" if ok else "BAD",
        np.max(np.abs(got - ref) / bound)))
