#!/usr/bin/env python3
"""Exports a small torch nn.Linear model to linalg-on-tensors MLIR with
torch-mlir (PyPI `torch`, `torch-mlir`): the frontend IR that the
instrument/quantize tests keep as input (test/Transforms/Inputs/).

    export_torch_linear.py -o torch-linear.mlir
"""
import argparse
import sys

import torch
from torch_mlir import fx
from torch_mlir.compiler_utils import OutputType


class TwoLinear(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(8, 6)
        self.fc2 = torch.nn.Linear(6, 4, bias=False)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    torch.manual_seed(0)
    model = TwoLinear().eval()
    module = fx.export_and_import(model, torch.randn(3, 5, 8),
                                  output_type=OutputType.LINALG_ON_TENSORS,
                                  func_name="forward")
    text = ("// Exported by scripts/export_torch_linear.py with torch %s and "
            "torch-mlir.\n" % torch.__version__) + module.operation.get_asm()
    with open(args.output, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
