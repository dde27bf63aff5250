#!/usr/bin/env python3
"""Sequential calibration and quantization of SmolLM2 (or any DQLlama) with
dq's own engine, block by block, in the reference's order.

    quantize_llm.py --method decoupleq --bits 2 --group-size 64 \\
        --calib-windows 16 -o out/w2g64-decoupleq.safetensors

For each block, with every earlier block already quantized, the inputs of a
group of linears are collected on the calibration windows, H = XᵀX/T per
group, and the group is quantized by `dq-quant` and written back before the
next group sees its inputs:

    [q_proj, k_proj, v_proj]  (one H: they share their input)
    [o_proj]                  (inputs from the quantized q, k, v)
    [gate_proj, up_proj]      (inputs from the quantized attention)
    [down_proj]               (inputs from the quantized gate and up)

The hidden states of all windows are carried from block to block, so one
calibration costs about one forward of the model over the windows. The
embedding (tied to the lm_head) stays in float.

With --blockwise (decoupleQ's second stage, blockwise.py), each block is
then trained with its integers frozen: its scales and offsets, and its two
RMSNorm weights, on the float block's output (--blockwise-target block, the
reference's) or the float model's states at that depth (model), with Adam;
the next block calibrates on the refined output. The trained norms go into
the checkpoint as float tensors (NAME.value) that --dq-quantize puts in
place of the module's constants.

With --layer-config (a budget report of `--dq-quantize budget=`, mixed
precision), each layer takes its bits and group size from the file; the
others take --bits and --group-size. --float-stats writes the float
model's H of every linear on the calibration windows (what that budget
run measures its candidates on) and quantizes nothing.

The output is a dq-quantized-model checkpoint (docs/weights-format.md):
`dq-opt --dq-quantize="weights=FILE skip=*embed_tokens*"` imports it into
an exported module instead of solving again. Progress (layer i/N, its
normalized error, elapsed time, ETA) goes to stderr. A run that is stopped
resumes from the last finished block (`FILE.partial/`), with the same
result.
"""

import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))

GROUPS = (("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"),
          ("self_attn.o_proj",),
          ("mlp.gate_proj", "mlp.up_proj"),
          ("mlp.down_proj",))
LINEARS_PER_BLOCK = sum(len(g) for g in GROUPS)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class QuantError(Exception):
    pass


class Gram:
    """Σ XᵀX in float64 over row batches (each batch's product in float32:
    2048-row sums, relative error ~1e-6, far below what the quantizers
    resolve)."""

    def __init__(self):
        self.sum, self.rows = None, 0

    def add(self, x):
        x = x.reshape(-1, x.shape[-1])
        g = (x.T @ x).double()
        self.sum = g if self.sum is None else self.sum + g
        self.rows += x.shape[0]

    def hessian(self):
        return (self.sum / self.rows).numpy(), self.rows


def dq_quant_layer(a, name, weight, hessian, work):
    """(ŵ float32 [N, K], q, scale, offset, error) from dq-quant."""
    import numpy as np
    import dqfiles
    w_path, h_path = os.path.join(work, "W.npy"), os.path.join(work, "H.npy")
    out = os.path.join(work, "q.safetensors")
    np.save(w_path, weight.astype(np.float32))
    np.save(h_path, hessian)
    bits, group = layer_config(a, name)
    cmd = [a.dq_quant, "--weight", w_path, "--hessian", h_path,
           "--method", a.method, "--bits", str(bits),
           "--group-size", str(group), "--iters", str(a.iters),
           "--threads", str(a.threads), "--scale-type", "f16",
           "--layer-name", name, "--quiet", "-o", out]
    for opt in a.method_option:
        cmd += ["--method-option", opt]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise QuantError("dq-quant failed on %s:\n%s" % (name, r.stderr))
    result = json.loads(r.stdout.strip().splitlines()[-1])
    tensors, _ = dqfiles.read_safetensors(out)
    q, s, z = tensors["q"], tensors["scale"], tensors["offset"]
    w_hat = dequantize(q, s, z)
    return w_hat.astype(np.float32), q, s, z, result["normalized_error"]


def layer_config(a, name):
    """(bits, group size) of a layer: --layer-config's, else the default."""
    return a.layer_config.get(name, (a.bits, a.group_size))


def read_layer_config(path):
    """{layer: (bits, group size)} from a budget report (or any JSON with
    "layers": [{"layer", "bits", "group_size"}, ...])."""
    try:
        with open(path) as f:
            entries = json.load(f)["layers"]
        out = {e["layer"]: (int(e["bits"]), int(e["group_size"]))
               for e in entries}
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise QuantError("--layer-config %s: not a budget report (%s: %s)"
                         % (path, type(e).__name__, e))
    for name, (bits, group) in out.items():
        if bits not in (2, 3, 4, 8) or group < 1:
            raise QuantError("--layer-config %s: layer %s has W%d g%d"
                             % (path, name, bits, group))
    return out


def write_float_stats(model, windows, path):
    """H = XᵀX/T of every linear of the float model on the windows."""
    import torch
    import dqfiles
    import torch_calibrate
    model.forward = model.logits
    log("quantize_llm: float statistics on %d windows" % len(windows))
    layers = torch_calibrate.collect_hessians(
        model, [(torch.tensor([w]),) for w in windows],
        lambda i: log("quantize_llm: window %d/%d" % (i, len(windows))))
    dqfiles.write_stats(path, layers, "examples/llm/quantize_llm.py")
    log("quantize_llm: wrote %s (%d layers)" % (path, len(layers)))


def write_sensitivity(model, windows, path, tokens):
    """Each linear's mean squared gradient of the loss at its outputs, over
    the windows' tokens and its output channels: with ΔL ≈ ½ Δyᵀ F Δy and
    the Fisher F ≈ E[g gᵀ] taken as its mean diagonal, the weight that
    turns the layer's output error Σ(ŵ-w)ᵀH(ŵ-w) into a loss increase
    (up to the ½), i.e. --dq-quantize's budget-weights. The loss is the
    sum of the tokens' next-token cross-entropies, so that each token's
    gradient is its own loss's. Each window's first `tokens` tokens: the
    backward pass keeps every block's attention matrix, 150 MB per block
    for 2048 tokens against 9 MB for 512."""
    import torch
    import torch.nn.functional as F
    import dqfiles
    sums, counts, hooks = {}, {}, []
    linears = [(n, m) for n, m in model.named_modules()
               if isinstance(m, torch.nn.Linear) and n.startswith("model.")]

    def make_hook(name):
        def hook(module, grad_input, grad_output):
            g = grad_output[0].detach().to(torch.float64)
            sums[name] = sums.get(name, 0.0) + float((g * g).sum())
            counts[name] = counts.get(name, 0) + g.numel()
        return hook

    for p in model.parameters():
        p.requires_grad_(False)
    for name, m in linears:
        hooks.append(m.register_full_backward_hook(make_hook(name)))
    # Parameters stay frozen; the graph starts at the embedding's output.
    hooks.append(model.model.embed_tokens.register_forward_hook(
        lambda m, args, out: out.requires_grad_(True)))
    log("quantize_llm: sensitivity on %d windows" % len(windows))
    try:
        for i, w in enumerate(windows):
            ids = torch.tensor([w[:tokens]])
            logits = model.logits(ids)
            loss = F.cross_entropy(logits[0, :-1].float(), ids[0, 1:],
                                   reduction="sum")
            loss.backward()
            log("quantize_llm: window %d/%d" % (i + 1, len(windows)))
    finally:
        for h in hooks:
            h.remove()
    weights = {name: sums[name] / counts[name] for name in sums}
    dqfiles.write_atomic(path, json.dumps(weights, indent=1).encode())
    log("quantize_llm: wrote %s (%d layers)" % (path, len(weights)))


def attention(model, block, x):
    """Causal grouped-query attention of one window, [1, L, heads·hd]
    (scaled_dot_product_attention: the same function as DQLlama's
    masked softmax, faster on long windows)."""
    import torch
    import torch.nn.functional as F
    c = model.cfg
    n = x.shape[1]
    q, k, v = model._qkv(block, x, torch.arange(n, dtype=torch.float32))
    group = c["heads"] // c["kv_heads"]
    k = k.repeat_interleave(group, dim=1)
    v = v.repeat_interleave(group, dim=1)
    out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return out.transpose(1, 2).reshape(1, n, -1)


class Run:
    """One sequential calibration: hidden states, the quantized layers so
    far, and the per-layer report."""

    def __init__(self, a, model, windows):
        self.a, self.model = a, model
        self.windows = windows
        self.layers = {}      # name -> (q, scale, offset)
        self.norms = {}       # norm weight name -> trained float32 values
        self.blockwise = []   # per block: block-wise minimization report
        # --blockwise-target model: the float model's hidden states.
        self.float_hidden = None
        self.report = []      # [{name, error, rows, seconds}]
        self.start = time.time()
        self.done_before = 0  # linears finished by an earlier run

    def quantize(self, names, gram, work):
        import torch
        modules = dict(self.model.named_modules())
        hessian, rows = gram.hessian()
        for name in names:
            t0 = time.time()
            weight = modules[name].weight.detach().numpy()
            w_hat, q, s, z, err = dq_quant_layer(self.a, name, weight,
                                                 hessian, work)
            with torch.no_grad():
                modules[name].weight.copy_(torch.from_numpy(w_hat))
            self.layers[name] = (q, s, z)
            self.report.append({"layer": name, "error": err, "rows": rows,
                                "seconds": time.time() - t0})
            self.progress(name, err)

    def progress(self, name, err):
        total = LINEARS_PER_BLOCK * self.model.cfg["blocks"]
        done = len(self.report)
        elapsed = time.time() - self.start
        rate = elapsed / max(1, done - self.done_before)
        eta = rate * (total - done)
        bits, group = layer_config(self.a, name)
        log("quantize_llm: [%d/%d] %s %s W%d g%d: error %.3e  "
            "(%.0f s, ETA %.0f s)" % (done, total, name, self.a.method,
                                      bits, group, err, elapsed, eta))

    def block(self, i, hidden, work):
        """Quantizes block i group by group, then (--blockwise) trains its
        scales, offsets and norms; returns its output states."""
        import torch
        import torch.nn.functional as F
        b = self.model.model.layers[i]
        p = "model.layers.%d." % i
        names = [[p + n for n in g] for g in GROUPS]
        targets = None
        if self.a.blockwise:
            import blockwise
            short = [n for g in GROUPS for n in g]
            if self.a.blockwise_target == "model" and i == 0:
                self.float_hidden = hidden
            inputs = (self.float_hidden if self.a.blockwise_target == "model"
                      else hidden)
            with torch.no_grad():
                fw = blockwise.module_weights(b, short)
                targets = [blockwise.block_forward(self.model, b, h, fw)
                           for h in inputs]
            del fw, inputs
            if self.a.blockwise_target == "model":
                self.float_hidden = targets
        with torch.no_grad():
            xs = [b.input_layernorm(h) for h in hidden]
            g = Gram()
            for x in xs:
                g.add(x)
            self.quantize(names[0], g, work)
            attn = [attention(self.model, b, x) for x in xs]
            del xs
            g = Gram()
            for x in attn:
                g.add(x)
            self.quantize(names[1], g, work)
            mid = [h + b.self_attn.o_proj(x) for h, x in zip(hidden, attn)]
            del attn
            xs = [b.post_attention_layernorm(h) for h in mid]
            g = Gram()
            for x in xs:
                g.add(x)
            self.quantize(names[2], g, work)
            acts = [F.silu(b.mlp.gate_proj(x)) * b.mlp.up_proj(x) for x in xs]
            del xs
            g = Gram()
            for x in acts:
                g.add(x)
            self.quantize(names[3], g, work)
            if targets is None:
                return [h + b.mlp.down_proj(x) for h, x in zip(mid, acts)]
            del mid, acts
        return self.minimize(i, b, hidden, targets)

    def minimize(self, i, b, hidden, targets):
        import numpy as np
        import torch
        import blockwise
        p = "model.layers.%d." % i
        short = [n for g in GROUPS for n in g]
        log("quantize_llm: block %d: block-wise minimization (%d epochs, "
            "lr %g)" % (i, self.a.blockwise_epochs, self.a.blockwise_lr))
        layers, norms, report = blockwise.minimize(
            self.model, b, hidden, targets,
            {n: self.layers[p + n] for n in short}, blockwise_settings(self.a),
            log)
        modules = dict(b.named_modules())
        with torch.no_grad():
            for n, (q, s, z) in layers.items():
                self.layers[p + n] = (q, s, z)
                modules[n].weight.copy_(torch.from_numpy(
                    dequantize(q, s, z).astype(np.float32)))
            if self.a.blockwise_norms and report["kept"]:
                for n, v in norms.items():
                    self.norms[p + n + ".weight"] = v
            report["block"] = i
            self.blockwise.append(report)
            return [blockwise.block_forward(
                self.model, b, h, blockwise.module_weights(b, short))
                for h in hidden]


def blockwise_settings(a):
    import blockwise
    return blockwise.Settings(a.blockwise_epochs, a.blockwise_lr,
                              a.blockwise_weight_decay, a.blockwise_norms,
                              a.blockwise_target)


def settings(a):
    out = {"method": a.method, "bits": a.bits, "group_size": a.group_size,
           "iters": a.iters, "calib_windows": a.calib_windows,
           "window": a.window, "method_option": sorted(a.method_option)}
    if a.blockwise:
        out["blockwise"] = blockwise_settings(a).as_dict()
    if a.layer_config:
        out["layer_config"] = sorted([n, b, g] for n, (b, g)
                                     in a.layer_config.items())
    if a.model != "smollm2":
        out.update(model=a.model, seed=a.seed)
    return out


def save_partial(path, run, next_block, hidden, a):
    """Everything needed to go on after block `next_block - 1`, written to
    a fresh folder that replaces the old one."""
    import numpy as np
    import torch
    tmp = path + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    torch.save(hidden, os.path.join(tmp, "hidden.pt"))
    if run.float_hidden is not None:
        torch.save(run.float_hidden, os.path.join(tmp, "float_hidden.pt"))
    np.savez(os.path.join(tmp, "layers.npz"),
             **{"%s|%s" % (n, k): v for n, qsz in run.layers.items()
                for k, v in zip("qsz", qsz)})
    np.savez(os.path.join(tmp, "norms.npz"), **run.norms)
    with open(os.path.join(tmp, "state.json"), "w") as f:
        json.dump({"next_block": next_block, "settings": settings(a),
                   "report": run.report, "blockwise": run.blockwise}, f)
    shutil.rmtree(path, ignore_errors=True)
    os.replace(tmp, path)


def load_partial(path, run, a):
    """(next block, hidden states), or None without a usable partial run."""
    import numpy as np
    import torch
    try:
        with open(os.path.join(path, "state.json")) as f:
            state = json.load(f)
    except (OSError, ValueError):
        return None
    if state.get("settings") != settings(a):
        log("quantize_llm: %s is from other settings; starting over" % path)
        return None
    layers = np.load(os.path.join(path, "layers.npz"))
    for key in layers.files:
        name, part = key.split("|")
        entry = list(run.layers.get(name, (None, None, None)))
        entry["qsz".index(part)] = layers[key]
        run.layers[name] = tuple(entry)
    run.report = state["report"]
    run.blockwise = state.get("blockwise", [])
    run.done_before = len(run.report)
    # A partial folder from before --blockwise existed has no norms.npz.
    norms_path = os.path.join(path, "norms.npz")
    if os.path.exists(norms_path):
        norms = np.load(norms_path)
        run.norms = {name: norms[name] for name in norms.files}
    modules = dict(run.model.named_modules())
    params = dict(run.model.named_parameters())
    with torch.no_grad():
        for name, (q, s, z) in run.layers.items():
            w = dequantize(q, s, z).astype(np.float32)
            modules[name].weight.copy_(torch.from_numpy(w))
        for name, v in run.norms.items():
            params[name].copy_(torch.from_numpy(v))
    hidden = torch.load(os.path.join(path, "hidden.pt"))
    if a.blockwise and a.blockwise_target == "model":
        run.float_hidden = torch.load(os.path.join(path, "float_hidden.pt"))
    log("quantize_llm: resuming at block %d (%d layers done)"
        % (state["next_block"], len(run.report)))
    return state["next_block"], hidden


def dequantize(q, s, z):
    """ŵ = s·Q + z in float64 ([N, K] from [N, K] and [N, G])."""
    import numpy as np
    g = q.shape[1] // s.shape[1]
    return (np.repeat(s.astype(np.float64), g, axis=1) * q +
            np.repeat(z.astype(np.float64), g, axis=1))


def apply_checkpoint(model, path):
    """Loads a dq-quantized-model checkpoint's ŵ into `model`'s linears,
    and its float tensors (norm weights trained by --blockwise) into the
    parameters of the same names; returns the number of layers."""
    import torch
    import dqfiles
    try:
        layers, _ = dqfiles.read_quantized_model(path)
        floats = dqfiles.read_quantized_floats(path)
    except (OSError, dqfiles.FileFormatError) as e:
        raise QuantError(str(e))
    modules = dict(model.named_modules())
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, (q, s, z, _) in layers.items():
            if name not in modules:
                raise QuantError("%s: layer %s is not in the model"
                                 % (path, name))
            w = dequantize(q, s, z)
            modules[name].weight.copy_(torch.from_numpy(w.astype("float32")))
        for name, values in floats.items():
            if name not in params or \
                    tuple(params[name].shape) != values.shape:
                raise QuantError("%s: float tensor %s %s is not a parameter "
                                 "of the model" % (path, name, values.shape))
            params[name].copy_(torch.from_numpy(values))
    return len(layers)


def write_checkpoint(path, run, a):
    """The layers, and the norm weights that block-wise minimization
    trained as float tensors that replace the module's constants."""
    import dqfiles
    method = a.method + ("+blockwise" if a.blockwise else "")
    dqfiles.write_quantized_model(
        path, {name: (q, s, z, layer_config(a, name)[0])
               for name, (q, s, z) in run.layers.items()},
        "examples/llm/quantize_llm.py",
        {name + ".method": method for name in run.layers},
        floats=run.norms)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", choices=("smollm2", "tiny"), default="smollm2",
                    help="tiny: export_llm.py's random 2-block Llama, "
                         "calibrated on random token ids (tests)")
    ap.add_argument("--seed", type=int, default=0,
                    help="tiny: the weights' and the windows' seed")
    ap.add_argument("--method", default="decoupleq",
                    help="a dq-quant method (dq-quant --list-methods)")
    ap.add_argument("--bits", type=int, default=2)
    ap.add_argument("--group-size", type=int, default=64)
    ap.add_argument("--iters", type=int, default=4,
                    help="decoupleQ outer iterations")
    ap.add_argument("--method-option", action="append", default=[],
                    help="key=value, passed to dq-quant (repeatable)")
    ap.add_argument("--blockwise", action="store_true",
                    help="decoupleQ's second stage: after each block is "
                         "quantized layer-wise, train its scales, offsets "
                         "and norms on the float block's output")
    ap.add_argument("--blockwise-epochs", type=int, default=4)
    ap.add_argument("--blockwise-lr", type=float, default=1e-5,
                    help="Adam learning rate (the reference's 1e-5)")
    ap.add_argument("--blockwise-weight-decay", type=float, default=1e-6)
    ap.add_argument("--blockwise-target", choices=("block", "model"),
                    default="block",
                    help="what the quantized block must match: the float "
                         "block on the same inputs (block, the reference's "
                         "choice) or the float model's states at that depth "
                         "(model: also corrects the earlier blocks' error)")
    ap.add_argument("--blockwise-no-norms", dest="blockwise_norms",
                    action="store_false",
                    help="train scales and offsets only, not the norms")
    ap.add_argument("--calib-windows", type=int, default=16,
                    help="calibration windows (of --window tokens)")
    ap.add_argument("--window", type=int, default=2048)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dq-quant",
                    default=os.path.join(ROOT, "build", "bin", "dq-quant"))
    ap.add_argument("--layer-config",
                    help="per-layer bits and group sizes: the JSON report "
                         "of dq-opt --dq-quantize budget=... budget-report=")
    ap.add_argument("--float-stats", metavar="FILE",
                    help="only write the float model's statistics (H of "
                         "every linear on the calibration windows)")
    ap.add_argument("--sensitivity", metavar="FILE",
                    help="only write each linear's mean squared loss "
                         "gradient at its outputs (JSON, --dq-quantize's "
                         "budget-weights)")
    ap.add_argument("--sensitivity-tokens", type=int, default=512,
                    help="--sensitivity: the first N tokens of each window")
    ap.add_argument("--report", help="JSON with every layer's error")
    ap.add_argument("-o", "--output",
                    help="dq-quantized-model checkpoint (.safetensors)")
    a = ap.parse_args()
    if not a.output and not a.float_stats and not a.sensitivity:
        ap.error("-o/--output is required (or --float-stats, --sensitivity)")
    if not os.access(a.dq_quant, os.X_OK):
        ap.error("%s not found: build dq first (scripts/setup.sh)"
                 % a.dq_quant)
    if a.calib_windows < 1:
        ap.error("--calib-windows must be at least 1")
    if a.blockwise_epochs < 1 or not 0 < a.blockwise_lr < 1 or \
            a.blockwise_weight_decay < 0:
        ap.error("--blockwise-epochs must be at least 1, --blockwise-lr in "
                 "(0, 1) and --blockwise-weight-decay at least 0")

    a.layer_config = (read_layer_config(a.layer_config) if a.layer_config
                      else {})
    import torch
    import llm_model
    import llm_text
    from llama_model import DQLlama

    torch.set_num_threads(a.threads)
    if a.model == "tiny":
        import numpy as np
        import export_llm
        model = export_llm.tiny_model(a.seed)
        rng = np.random.default_rng(a.seed)
        windows = [rng.integers(0, model.cfg["vocab"], a.window).tolist()
                   for _ in range(a.calib_windows)]
    else:
        hf, tokenizer = llm_model.load_hf(log)
        model = DQLlama.from_hf(hf)
        del hf
        calibration, _ = llm_text.split()
        windows = llm_text.token_windows(tokenizer, calibration, a.window,
                                         a.calib_windows)
    if len(windows) < a.calib_windows:
        raise QuantError("only %d calibration windows of %d tokens"
                         % (len(windows), a.window))
    if a.float_stats or a.sensitivity:
        if a.float_stats:
            write_float_stats(model, windows, a.float_stats)
        if a.sensitivity:
            write_sensitivity(model, windows, a.sensitivity,
                              a.sensitivity_tokens)
        return 0
    linears = {n for n, m in model.named_modules()
               if isinstance(m, torch.nn.Linear)}
    unknown = sorted(set(a.layer_config) - linears)
    if unknown:
        raise QuantError("--layer-config names %d layer(s) the model does "
                         "not have: %s" % (len(unknown),
                                           ", ".join(unknown[:5])))
    log("quantize_llm: %s W%d g%d%s on %d calibration windows of %d tokens"
        % (a.method, a.bits, a.group_size,
           " (%d layers from --layer-config)" % len(a.layer_config)
           if a.layer_config else "", len(windows), a.window))

    run = Run(a, model, windows)
    partial = a.output + ".partial"
    resumed = load_partial(partial, run, a)
    if resumed:
        first, hidden = resumed
    else:
        first = 0
        with torch.no_grad():
            hidden = [model.model.embed_tokens(torch.tensor([w]))
                      for w in windows]
    with tempfile.TemporaryDirectory(prefix="dq-llm-") as work:
        for i in range(first, model.cfg["blocks"]):
            hidden = run.block(i, hidden, work)
            save_partial(partial, run, i + 1, hidden, a)
            if os.environ.get("DQ_TEST_KILL_AFTER_BLOCKS") == str(i + 1):
                # The resume test's stand-in for a machine going away.
                os.kill(os.getpid(), signal.SIGKILL)
    write_checkpoint(a.output, run, a)
    if a.report:
        errors = [r["error"] for r in run.report]
        import dqfiles
        dqfiles.write_atomic(a.report, json.dumps({
            "settings": settings(a), "layers": run.report,
            "blockwise": run.blockwise,
            "mean_error": sum(errors) / len(errors),
            "seconds": time.time() - run.start}, indent=1).encode())
    shutil.rmtree(partial, ignore_errors=True)
    errors = [r["error"] for r in run.report]
    log("quantize_llm: %d layers, mean normalized error %.4e, max %.4e; "
        "wrote %s (%.0f s)" % (len(errors), sum(errors) / len(errors),
                               max(errors), a.output, time.time() - run.start))
    return 0


if __name__ == "__main__":
    import llm_text
    try:
        sys.exit(main())
    except (QuantError, llm_text.TextUnavailable) as e:
        log("quantize_llm: error: %s" % e)
        sys.exit(1)
