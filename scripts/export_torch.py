#!/usr/bin/env python3
"""Exports a PyTorch model to linalg-on-tensors MLIR for dq-opt, with
torch-mlir (PyPI `torch`, `torch-mlir`).

torch-mlir stores parameters as dense_resource blobs named after their
shape ("torch_tensor_6_8_torch.float32"). This script renames each blob
after its parameter so that dq's layer names are meaningful and match
scripts/torch_calibrate.py: the weight of an nn.Linear becomes its module
path ("encoder.layer.0.output.dense"), any other parameter its parameter
name ("encoder.layer.0.output.dense.bias"). A blob is matched to a
parameter by its bytes; blobs that match no parameter, or several, keep
their names.

    export_torch.py --model-script my_model.py -o model.mlir
    export_torch.py --demo two-linear -o torch-linear.mlir

A model script defines build_model() and example_inputs() (a tuple of
tensors). The printed syntax is what LLVM 22's parser reads (checked by
the tests that keep such exports as inputs).
"""

import argparse
import re
import sys

_RESOURCE = re.compile(r'^(\s*)("(?:[^"]*)"|[\w.$-]+): "0x([0-9A-Fa-f]*)"(,?)$',
                       re.M)
_BARE_ID = re.compile(r"[A-Za-z_][\w.$]*\Z")


def _quote(key):
    return key if _BARE_ID.match(key) else '"%s"' % key


def _parameter_names(model):
    """bytes -> [names], Linear weights named after their module."""
    import torch
    names = {}
    linear_weights = {id(m.weight): n for n, m in model.named_modules()
                      if isinstance(m, torch.nn.Linear)}
    for name, p in model.named_parameters():
        data = p.detach().cpu().contiguous().numpy().tobytes()
        names.setdefault(data, []).append(linear_weights.get(id(p), name))
    return names


def rename_resources(text, model):
    """Renames the dense_resource blobs of `text` after `model`'s
    parameters; returns (text, {old: new})."""
    by_bytes = _parameter_names(model)
    renames = {}
    for m in _RESOURCE.finditer(text):
        key = m.group(2).strip('"')
        data = bytes.fromhex(m.group(3))[4:]  # Drop the alignment word.
        owners = by_bytes.get(data, [])
        if len(owners) == 1:
            renames[key] = owners[0]
    if len(set(renames.values())) != len(renames):
        raise ValueError("two blobs map to the same parameter name")

    def resource_line(m):
        key = m.group(2).strip('"')
        new = _quote(renames.get(key, key))
        return "%s%s: \"0x%s\"%s" % (m.group(1), new, m.group(3), m.group(4))

    def handle(m):
        key = m.group(1).strip('"')
        return "dense_resource<%s>" % _quote(renames.get(key, key))

    text = _RESOURCE.sub(resource_line, text)
    text = re.sub(r'dense_resource<("(?:[^"]*)"|[\w.$-]+)>', handle, text)
    return text, renames


def export(model, example_inputs, func_name="forward"):
    """linalg-on-tensors MLIR text of `model` with parameter-named blobs."""
    import torch
    from torch_mlir import fx
    from torch_mlir.compiler_utils import OutputType
    model = model.eval()
    module = fx.export_and_import(model, *example_inputs,
                                  output_type=OutputType.LINALG_ON_TENSORS,
                                  func_name=func_name)
    text, _ = rename_resources(module.operation.get_asm(), model)
    return ("// Exported by scripts/export_torch.py with torch %s.\n" %
            torch.__version__) + text


def two_linear():
    """The demo model: fc1 (8 -> 6, bias) -> ReLU -> fc2 (6 -> 4)."""
    import torch

    class TwoLinear(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(8, 6)
            self.fc2 = torch.nn.Linear(6, 4, bias=False)

        def forward(self, x):
            return self.fc2(torch.relu(self.fc1(x)))

    torch.manual_seed(0)
    return TwoLinear(), (torch.randn(3, 5, 8),)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--model-script",
                     help="Python file defining build_model() and "
                          "example_inputs()")
    src.add_argument("--demo", choices=["two-linear"])
    ap.add_argument("--function", default="forward")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    sys.path.insert(0, __import__("os").path.dirname(__file__))
    import dqfiles
    try:
        if args.demo:
            model, inputs = two_linear()
        else:
            from torch_calibrate import load_model_script
            script = load_model_script(args.model_script)
            model, inputs = script.build_model(), script.example_inputs()
        text = export(model, inputs, args.function)
        dqfiles.write_atomic(args.output, text.encode())
    except (OSError, AttributeError, ValueError, ImportError) as e:
        print("export_torch: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
