"""Checks the mixed-precision path of quantize_llm.py on the tiny random
Llama of export_llm.py.

  check_mixed.py stats FILE --seed S --window L --windows N
      FILE (quantize_llm.py --float-stats) holds, for each of the 14
      linears, H = XᵀX/T and T = N·L, where X are the linear's inputs on
      the same N random windows, recomputed here with hooks of this script
      on the model in float64. The script's forward runs in float32, so its
      inputs carry relative errors of a few 2^-24 through two blocks; H
      then differs by ~1e-6 of its largest entry. The bound is 1e-4: a
      wrong window, layer or normalisation differs by far more.
  check_mixed.py sensitivity FILE --seed S --window L --windows N --tokens T
      FILE (quantize_llm.py --sensitivity) gives each linear the mean over
      the first T tokens of the N windows and its output channels of g²,
      g the gradient of the summed next-token cross-entropy at the
      linear's output; recomputed here in float64 by keeping the outputs
      (retain_grad) rather than backward hooks. The script's float32
      gradients differ by ~1e-6 relative; the bound is 1e-4.
  check_mixed.py config REPORT CKPT --bits B --group-size G
      every layer of the checkpoint has the bits and group size that the
      budget REPORT chose for it, and the layers it does not name have B
      and G.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..", "..")
sys.path.insert(0, os.path.join(ROOT, "examples", "llm"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import dqfiles  # noqa: E402
from export_llm import tiny_model  # noqa: E402

LINEARS = ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
           "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj",
           "mlp.down_proj")


def cmd_stats(a):
    model = tiny_model(a.seed).double()
    # quantize_llm.py --model tiny's calibration windows.
    rng = np.random.default_rng(a.seed)
    windows = [rng.integers(0, model.cfg["vocab"], a.window).tolist()
               for _ in range(a.windows)]
    inputs, hooks = {}, []
    modules = dict(model.named_modules())
    names = ["model.layers.%d.%s" % (i, n)
             for i in range(model.cfg["blocks"]) for n in LINEARS]
    for name in names:
        def hook(module, args, name=name):
            inputs.setdefault(name, []).append(
                args[0].detach().reshape(-1, args[0].shape[-1]).numpy())
        hooks.append(modules[name].register_forward_pre_hook(hook))
    with torch.no_grad():
        for w in windows:
            model.logits(torch.tensor([w]))
    for h in hooks:
        h.remove()
    layers, _ = dqfiles.read_stats(a.file)
    ok = True
    for name in names:
        x = np.concatenate(inputs[name])
        want = x.T @ x / len(x)
        if name not in layers:
            print("FAIL: %s is not in the statistics" % name)
            ok = False
            continue
        got, tokens = layers[name]
        err = np.abs(got - want).max() / np.abs(want).max()
        if tokens != a.windows * a.window or err > 1e-4:
            print("FAIL: %s: T %d (expected %d), max |ΔH| %.3g of max |H|"
                  % (name, tokens, a.windows * a.window, err))
            ok = False
    print("stats: %d linears checked: %s" % (len(names),
                                             "ok" if ok else "FAIL"))
    return ok


def cmd_sensitivity(a):
    model = tiny_model(a.seed).double()
    for p in model.parameters():
        p.requires_grad_(False)
    rng = np.random.default_rng(a.seed)
    windows = [rng.integers(0, model.cfg["vocab"], a.window).tolist()
               for _ in range(a.windows)]
    modules = dict(model.named_modules())
    names = ["model.layers.%d.%s" % (i, n)
             for i in range(model.cfg["blocks"]) for n in LINEARS]
    outputs, hooks = {}, []
    for name in names:
        def keep(module, args, out, name=name):
            out.retain_grad()
            outputs[name] = out
        hooks.append(modules[name].register_forward_hook(keep))
    hooks.append(model.model.embed_tokens.register_forward_hook(
        lambda m, args, out: out.requires_grad_(True)))
    sums = {n: 0.0 for n in names}
    counts = {n: 0 for n in names}
    for w in windows:
        ids = torch.tensor([w[:a.tokens]])
        logits = model.logits(ids)
        loss = torch.nn.functional.cross_entropy(logits[0, :-1], ids[0, 1:],
                                                 reduction="sum")
        loss.backward()
        for n in names:
            g = outputs[n].grad
            sums[n] += float((g * g).sum())
            counts[n] += g.numel()
    for h in hooks:
        h.remove()
    with open(a.file) as f:
        got = json.load(f)
    ok = sorted(got) == sorted(names)
    if not ok:
        print("FAIL: layers %s" % sorted(set(got) ^ set(names)))
    for n in names:
        want = sums[n] / counts[n]
        if n in got and abs(got[n] - want) > 1e-4 * want:
            print("FAIL: %s: %.9e, expected %.9e" % (n, got[n], want))
            ok = False
    print("sensitivity: %d linears checked: %s" % (len(names),
                                                   "ok" if ok else "FAIL"))
    return ok


def cmd_config(a):
    with open(a.report) as f:
        chosen = {e["layer"]: (e["bits"], e["group_size"])
                  for e in json.load(f)["layers"]}
    layers, _ = dqfiles.read_quantized_model(a.ckpt)
    ok, seen = True, set()
    for name, (q, s, _, bits) in layers.items():
        k = q.shape[1]
        group = k // s.shape[1]
        want = chosen.get(name, (a.bits, k if a.group_size == -1
                                 else a.group_size))
        if (bits, group) != tuple(want):
            print("FAIL: %s: W%d g%d, expected W%d g%d"
                  % (name, bits, group, want[0], want[1]))
            ok = False
        seen.add((bits, group if group != k else -1))
    missing = sorted(set(chosen) - set(layers))
    if missing:
        print("FAIL: not in the checkpoint: %s" % ", ".join(missing))
        ok = False
    print("config: %d layers, %d from the report, configurations %s: %s"
          % (len(layers), len(set(chosen) & set(layers)),
             ", ".join("W%d %s" % (b, "per-channel" if g == -1 else "g%d" % g)
                       for b, g in sorted(seen)), "ok" if ok else "FAIL"))
    return ok


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("stats")
    p.add_argument("file")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--window", type=int, required=True)
    p.add_argument("--windows", type=int, required=True)
    p = sub.add_parser("sensitivity")
    p.add_argument("file")
    for flag in ("--seed", "--window", "--windows", "--tokens"):
        p.add_argument(flag, type=int, required=True)
    p = sub.add_parser("config")
    p.add_argument("report")
    p.add_argument("ckpt")
    p.add_argument("--bits", type=int, required=True)
    p.add_argument("--group-size", type=int, required=True)
    a = ap.parse_args()
    return 0 if {"stats": cmd_stats, "sensitivity": cmd_sensitivity,
                 "config": cmd_config}[a.cmd](a) else 1


if __name__ == "__main__":
    sys.exit(main())
