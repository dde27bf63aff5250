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

sequential_blockwise adds decoupleQ's second stage after each block
(block-wise minimization, docs/minilm.md); its result is a checkpoint of
(Q, s, z) and LayerNorm values, not statistics.
"""
import copy
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts"))
import block_minimize  # noqa: E402
import dqfiles  # noqa: E402

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
    """(q int8 [N, K], scale, offset [N, G]) from dq-quant's output, the
    scale and offset in their storage type (float16 by default)."""
    tensors, _ = dqfiles.read_safetensors(path)
    return tensors["q"], tensors["scale"], tensors["offset"]


def dequantize(q, s, z):
    """ŵ = s·Q + z in float64 ([N, K] from [N, K] and [N, G])."""
    g = q.shape[1] // s.shape[1]
    s, z = (dqfiles.bf16_to_f32(a) if a.dtype == np.dtype("<u2") else a
            for a in (s, z))
    return (np.repeat(s.astype(np.float64), g, axis=1) * q +
            np.repeat(z.astype(np.float64), g, axis=1))


def quantize_layer(dq_quant, weight, hessian, method, bits, group, workdir,
                   name):
    """Runs dq-quant; returns (W_hat float32 [N, K], normalized error,
    (q, s, z))."""
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
    return (dequantize(q, s, z).astype(np.float32),
            result["normalized_error"], (q, s, z))


def quantize_group(model, batches, names, method, bits, group, dq_quant,
                   work):
    """Collects the inputs of the layers `names` on the model as it is now,
    quantizes each one and writes its ŵ back; returns {name: (H, T,
    normalized error, (q, s, z))}."""
    modules = dict(model.named_modules())
    out = {}
    for n, (h, t) in collect(model, batches, names).items():
        w = modules[n].weight.detach().numpy()
        w_hat, err, qsz = quantize_layer(dq_quant, w, h, method, bits, group,
                                         work, n)
        with torch.no_grad():
            modules[n].weight.copy_(torch.from_numpy(w_hat))
        out[n] = (h, t, err, qsz)
    return out


def sequential_stats(model, batches, method, bits, group, dq_quant,
                     log=print):
    """Quantizes `model` in place, sequentially; returns ({name: (H, T)},
    {name: normalized error})."""
    stats, errors = {}, {}
    with tempfile.TemporaryDirectory(prefix="dq-seq-") as work:
        for names in layer_groups(model):
            done = quantize_group(model, batches, names, method, bits, group,
                                  dq_quant, work)
            for n, (h, t, err, _) in done.items():
                stats[n] = (h, t)
                errors[n] = err
            log("    %s: %s" % (", ".join(x.rsplit(".", 2)[-2] + "." +
                                         x.rsplit(".", 1)[-1]
                                         for x in names),
                                " ".join("%.3e" % errors[n] for n in names)))
    return stats, errors


# A BERT block's float parameters that block-wise minimization trains along
# with the scales and offsets: its two LayerNorms (the reference trains the
# norms; a LayerNorm has a bias as well as a weight).
BLOCK_NORMS = ("attention.output.LayerNorm.weight",
               "attention.output.LayerNorm.bias",
               "output.LayerNorm.weight", "output.LayerNorm.bias")


def block_forward(block, h, weights):
    """A BertLayer's output for inputs h [B, L, d] with its linears'
    weights taken from `weights` ({short name: [N, K] tensor}). No
    attention mask: every calibration token is a real one."""
    params = {n + ".weight": w for n, w in weights.items()}
    return torch.func.functional_call(block, params, (h,))


def block_io(model, batches, index):
    """([input], [output]) of block `index` for every calibration batch."""
    block = model.bert.encoder.layer[index]
    inputs, outputs = [], []

    def hook(module, args, kwargs, out):
        h = args[0] if args else kwargs["hidden_states"]
        inputs.append(h.detach())
        outputs.append((out[0] if isinstance(out, tuple) else out).detach())

    handle = block.register_forward_hook(hook, with_kwargs=True)
    try:
        with torch.no_grad():
            for ids, mask in batches:
                model(ids, mask)
    finally:
        handle.remove()
    return inputs, outputs


def sequential_blockwise(model, batches, method, bits, group, dq_quant,
                         settings, log=print):
    """sequential_stats' layer-wise quantization, then, after each block,
    decoupleQ's second stage (scripts/block_minimize.py): with the
    integers frozen, the block's scales, offsets and LayerNorms are trained
    on the float block's output for the block's inputs (settings.target
    "block") or on the float model's states at that depth ("model"), and
    the next block calibrates on the refined model. settings None: the
    layer-wise result alone. Quantizes `model` in place; returns ({name:
    (q, s, z)}, {LayerNorm parameter: float32 values}, {name: layer-wise
    normalized error}, [per-block report])."""
    for ids, mask in batches:
        if settings is not None and not bool((mask == 1).all()):
            raise ValueError("block-wise minimization needs calibration "
                             "windows without padding (all-ones masks)")
    float_model = copy.deepcopy(model)
    modules = dict(model.named_modules())
    params = dict(model.named_parameters())
    layers, floats, errors, reports = {}, {}, {}, []
    groups = layer_groups(model)
    blocks = len(groups) // len(GROUP_ORDER)
    with tempfile.TemporaryDirectory(prefix="dq-seq-") as work:
        for i in range(blocks):
            prefix = "bert.encoder.layer.%d." % i
            for names in groups[i * len(GROUP_ORDER):
                                (i + 1) * len(GROUP_ORDER)]:
                done = quantize_group(model, batches, names, method, bits,
                                      group, dq_quant, work)
                for n, (_, _, err, qsz) in done.items():
                    layers[n], errors[n] = qsz, err
            log("    block %d: layer-wise errors %s" % (i, " ".join(
                "%.3e" % errors[prefix + n] for g in GROUP_ORDER
                for n in g)))
            if settings is None:
                continue
            hidden, _ = block_io(model, batches, i)
            if settings.target == "model":
                _, targets = block_io(float_model, batches, i)
            else:
                fb = float_model.bert.encoder.layer[i]
                with torch.no_grad():
                    targets = [fb(h) for h in hidden]
                    targets = [t[0] if isinstance(t, tuple) else t
                               for t in targets]
            block = model.bert.encoder.layer[i]
            short = [n for g in GROUP_ORDER for n in g]
            norms = {n: params[prefix + n] for n in BLOCK_NORMS}
            result, report = block_minimize.minimize(
                lambda h, w: block_forward(block, h, w), hidden, targets,
                {n: layers[prefix + n] for n in short}, norms, settings, log)
            with torch.no_grad():
                for n, qsz in result.items():
                    layers[prefix + n] = qsz
                    modules[prefix + n].weight.copy_(torch.from_numpy(
                        dequantize(*qsz).astype(np.float32)))
            if settings.norms and report["kept"]:
                for n, p in norms.items():
                    floats[prefix + n] = p.detach().numpy().copy()
            report["block"] = i
            reports.append(report)
    return layers, floats, errors, reports
