#!/usr/bin/env bash
# The main job, end to end on the bundled example: installs and builds what is
# missing, compiles the example MLP (fp32, W2 and W4) with dq-opt's CPU
# pipeline, runs it, and prints accuracy and speed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${DQ_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
exec "$root/.venv/bin/python3" "$root/scripts/run_example.py" --build "$build" "$@"
