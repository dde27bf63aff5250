#!/usr/bin/env python3
"""Calibration statistics from a PyTorch model, through forward hooks.

For users whose calibration lives in PyTorch: runs the model over
calibration inputs and writes the same statistics file as
`dq-run --calibrate` (docs/stats-format.md): per nn.Linear layer, named by
its module path (e.g. "encoder.layer.0.attention.self.query"), the Hessian
H = XᵀX / T of the layer's input rows, accumulated in float64, and T.

Layer names match the names dq-opt gives the same layers in IR exported by
scripts/export_torch.py, which names each weight resource after its module.

Library use:

    from torch_calibrate import collect_hessians
    layers = collect_hessians(model, batches)   # {name: (H, T)}
    dqfiles.write_stats("stats.safetensors", layers, "my-script")

Command line (a model script defines build_model() and
calibration_inputs(), an iterable of argument tuples):

    torch_calibrate.py --model-script my_model.py -o stats.safetensors
"""

import argparse
import importlib.util
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dqfiles  # noqa: E402


def collect_hessians(model, batches, progress=None):
    """Runs `model` on each argument tuple of `batches`; returns
    {layer name: (H float64 [K, K], T)} for every nn.Linear."""
    import torch

    sums, counts, hooks = {}, {}, []

    def make_hook(name):
        def hook(module, args):
            x = args[0].detach().to(torch.float64)
            x = x.reshape(-1, x.shape[-1])
            # Sum XᵀX in float64; divide once at the end.
            gram = (x.T @ x).cpu().numpy()
            if name in sums:
                sums[name] += gram
            else:
                sums[name] = gram
            counts[name] = counts.get(name, 0) + x.shape[0]
        return hook

    for name, module in model.named_modules():
        if isinstance(module, torch.nn.Linear):
            hooks.append(module.register_forward_pre_hook(make_hook(name)))
    try:
        with torch.no_grad():
            for i, args in enumerate(batches):
                if not isinstance(args, (tuple, list)):
                    args = (args,)
                model(*args)
                if progress:
                    progress(i + 1)
    finally:
        for h in hooks:
            h.remove()
    if not sums:
        raise ValueError("the model has no nn.Linear layer that ran")
    return {name: (sums[name] / counts[name], counts[name]) for name in sums}


def load_model_script(path):
    spec = importlib.util.spec_from_file_location("dq_model_script", path)
    if spec is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for attr in ("build_model", "calibration_inputs"):
        if not hasattr(module, attr):
            raise AttributeError("%s does not define %s()" % (path, attr))
    return module


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model-script", required=True,
                    help="Python file defining build_model() and "
                         "calibration_inputs()")
    ap.add_argument("-o", "--output", required=True,
                    help="statistics file to write (.safetensors)")
    args = ap.parse_args()
    try:
        script = load_model_script(args.model_script)
        model = script.build_model().eval()
        inputs = list(script.calibration_inputs())

        def progress(i):
            print("\rcalibrating: %d/%d inputs" % (i, len(inputs)),
                  end="", file=sys.stderr, flush=True)
        layers = collect_hessians(model, inputs, progress)
        print(file=sys.stderr)
        dqfiles.write_stats(args.output, layers, "torch_calibrate.py")
    except (OSError, AttributeError, ValueError, ImportError,
            dqfiles.FileFormatError) as e:
        print("torch_calibrate: error: %s" % e, file=sys.stderr)
        return 1
    for name, (h, t) in sorted(layers.items()):
        print("%s: K=%d, T=%d" % (name, h.shape[0], t))
    return 0


if __name__ == "__main__":
    sys.exit(main())
