"""Sequential calibration of all-MiniLM-L6-v2 in PyTorch, with dq's own
quantization engine (dq-quant) for every layer.

Block by block and, inside a block, in the reference's order — [query, key,
value], [attention output], [intermediate], [output] — the Hessians of a
group's layers are collected from the model whose earlier layers already
carry their quantized weights (s·Q + z as dq-quant wrote them); then the
group is quantized and written back. The statistics of every layer, each
collected at its turn, go to one statistics file: `dq-opt --dq-quantize`
with that file and the same options reproduces exactly the weights chosen
here (the engine is deterministic), which the runner checks through the
per-layer errors both report.
"""
import json
import os
import subprocess
import tempfile

import numpy as np
import torch

GROUP_ORDER = (("attention.self.query", "attention.self.key",
                "attention.self.value"),
               ("attention.output.dense",),
               ("intermediate.dense",),
               ("output.dense",))


def layer_groups(model):
    """[[name, ...], ...] in calibration order, names as module paths."""
    names = {n for n, m in model.named_modules()
             if isinstance(m, torch.nn.Linear)}
    groups = []
    block = 0
    while "bert.encoder.layer.%d.output.dense" % block in names:
        for group in GROUP_ORDER:
            groups.append(["bert.encoder.layer.%d.%s" % (block, g)
                           for g in group])
        block += 1
    return groups


def collect(model, batches, names):
    """{name: (H = XᵀX/T float64, T)} of the inputs of `names`."""
    modules = dict(model.named_modules())
    sums, counts, hooks = {}, {}, []

    def make_hook(name):
        def hook(module, args):
            x = args[0].detach().reshape(-1, args[0].shape[-1])
            x = x.to(torch.float64)
            gram = x.T @ x
            sums[name] = sums[name] + gram if name in sums else gram
            counts[name] = counts.get(name, 0) + x.shape[0]
        return hook

    for n in names:
        hooks.append(modules[n].register_forward_pre_hook(make_hook(n)))
    try:
        with torch.no_grad():
            for ids, mask in batches:
                model(ids, mask)
    finally:
        for h in hooks:
            h.remove()
    return {n: ((sums[n] / counts[n]).numpy(), counts[n]) for n in names}


def read_quantized(path):
    """(q int8 [N, K], scale, offset [N, G] float64) from dq-quant's output."""
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                    "scripts"))
    import dqgen
    data = open(path, "rb").read()
    import struct
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    base = 8 + size
    out = {}
    for name in ("q", "scale", "offset"):
        e = header[name]
        begin, end = e["data_offsets"]
        raw = data[base + begin:base + end]
        if e["dtype"] == "I8":
            out[name] = np.frombuffer(raw, np.int8).reshape(e["shape"])
        else:
            ftype = {"F16": "f16", "BF16": "bf16", "F32": "f32"}[e["dtype"]]
            out[name] = dqgen.float_from_bytes(raw, ftype, tuple(e["shape"]))
    return out["q"], out["scale"], out["offset"]


def quantize_layer(dq_quant, weight, hessian, method, bits, group, workdir,
                   name):
    """Runs dq-quant; returns (W_hat float32 [N, K], normalized error)."""
    w_path = os.path.join(workdir, "W.npy")
    h_path = os.path.join(workdir, "H.npy")
    out = os.path.join(workdir, "q.safetensors")
    np.save(w_path, weight.astype(np.float32))
    np.save(h_path, hessian)
    r = subprocess.run([dq_quant, "--weight", w_path, "--hessian", h_path,
                        "--method", method, "--bits", str(bits),
                        "--group-size", str(group), "--layer-name", name,
                        "--quiet", "-o", out],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode:
        raise RuntimeError("dq-quant failed on %s:\n%s" % (name, r.stderr))
    result = json.loads(r.stdout.strip().splitlines()[-1])
    q, s, z = read_quantized(out)
    g = weight.shape[1] if group == -1 else group
    w_hat = np.repeat(s, g, axis=1) * q + np.repeat(z, g, axis=1)
    return w_hat.astype(np.float32), result["normalized_error"]


def sequential_stats(model, batches, method, bits, group, dq_quant,
                     log=print):
    """Quantizes `model` in place, sequentially; returns ({name: (H, T)},
    {name: normalized error})."""
    modules = dict(model.named_modules())
    stats, errors = {}, {}
    with tempfile.TemporaryDirectory(prefix="dq-seq-") as work:
        for names in layer_groups(model):
            layers = collect(model, batches, names)
            for n in names:
                h, t = layers[n]
                w = modules[n].weight.detach().numpy()
                w_hat, err = quantize_layer(dq_quant, w, h, method, bits,
                                            group, work, n)
                with torch.no_grad():
                    modules[n].weight.copy_(torch.from_numpy(w_hat))
                stats[n] = (h, t)
                errors[n] = err
            log("    %s: %s" % (", ".join(x.rsplit(".", 2)[-2] + "." +
                                         x.rsplit(".", 1)[-1]
                                         for x in names),
                                " ".join("%.3e" % errors[n] for n in names)))
    return stats, errors
