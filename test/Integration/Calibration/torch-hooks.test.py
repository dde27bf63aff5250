# Helper of torch-hooks.test. "torch": writes samples and the PyTorch-hook
# statistics, plus the model's fc1 weight and bias for the bound; "compare":
# checks dq-run's statistics against them.
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "scripts"))
import dqfiles  # noqa: E402

mode, out = sys.argv[1], sys.argv[2]
if mode == "torch":
    import torch
    from export_torch import two_linear
    from torch_calibrate import collect_hessians
    model, _ = two_linear()
    rng = np.random.default_rng(5)
    samples = []
    for i in range(4):
        x = rng.standard_normal((3, 5, 8)).astype(np.float32)
        np.save(os.path.join(out, "samples", "s%d.npy" % i), x)
        samples.append((torch.from_numpy(x),))
    layers = collect_hessians(model.eval(), samples)
    dqfiles.write_stats(os.path.join(out, "torch.safetensors"), layers,
                        "torch_calibrate.py")
    np.savez(os.path.join(out, "fc1.npz"),
             w=model.fc1.weight.detach().numpy().astype(np.float64),
             b=model.fc1.bias.detach().numpy().astype(np.float64))
    sys.exit(0)

ours, _ = dqfiles.read_stats(os.path.join(out, "dq.safetensors"))
theirs, _ = dqfiles.read_stats(os.path.join(out, "torch.safetensors"))
fc1 = np.load(os.path.join(out, "fc1.npz"))
x = np.concatenate([np.load(os.path.join(out, "samples", f)).reshape(-1, 8)
                    for f in sorted(os.listdir(os.path.join(out, "samples")))
                    ]).astype(np.float64)
h = np.maximum(x @ fc1["w"].T + fc1["b"], 0.0)
u32, u64, t = 2.0 ** -24, 2.0 ** -52, len(x)
# Both sides compute fc1's output in f32, each within
# e = (K + 2) u32 (sum |x w| + |b|) of the exact value, so their Hessians of
# it differ by at most 2 (1/T) sum_r (e |h| + |h| e); both accumulate XᵀX in
# float64 (within (T + 1) u64 sum |a a| / T each). fc1 sees the inputs
# themselves: only the float64 accumulation differs.
e = 10 * u32 * (np.abs(x) @ np.abs(fc1["w"]).T + np.abs(fc1["b"]))
bounds = {
    "fc1": 2 * (t + 1) * u64 * (np.abs(x).T @ np.abs(x)) / t,
    "fc2": 2 * (e.T @ np.abs(h) + np.abs(h).T @ e) / t +
    2 * (t + 1) * u64 * (np.abs(h).T @ np.abs(h)) / t,
}
for name in ("fc1", "fc2"):
    (a, ta), (b, tb) = ours[name], theirs[name]
    bound = 1.01 * bounds[name] + 1e-300
    ok = ta == tb == t and np.all(np.abs(a - b) <= bound)
    print("%s: T=%d %s (max diff/bound %.3g)" % (
        name, ta, "ok" if ok else "BAD", np.max(np.abs(a - b) / bound)))
