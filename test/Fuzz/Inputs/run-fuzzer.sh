#!/usr/bin/env bash
# Runs one fuzz target for the lit tests of test/Fuzz:
#   run-fuzzer.sh FUZZ_BIN_DIR SRC_ROOT TARGET SECONDS WORK_DIR
# First replays the seed corpus fuzz/corpus/TARGET and every input of
# fuzz/regressions/TARGET (inputs that once crashed) once each, then fuzzes
# for SECONDS from a scratch corpus in WORK_DIR. Any crash, leak, sanitizer
# report or broken invariant fails; the log ends up in the test's output.
set -euo pipefail
bin=$1 src=$2 target=$3 seconds=$4 work=$5
fuzzer=$bin/dq-fuzz-$target
corpus=$src/fuzz/corpus/$target
regressions=$src/fuzz/regressions/$target
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
dirs=("$corpus")
[ -d "$regressions" ] && dirs+=("$regressions")
options=(-timeout=10 -rss_limit_mb=2048 -max_len=4096
  -artifact_prefix="$work/artifacts/")
[ -f "$src/fuzz/$target.dict" ] && options+=(-dict="$src/fuzz/$target.dict")

status=0
"$fuzzer" "${options[@]}" -runs=0 "${dirs[@]}" >"$work/replay.log" 2>&1 ||
  status=$?
if ((status)); then
  cat "$work/replay.log"
  echo "error: dq-fuzz-$target fails on its corpus or regression inputs"
  exit 1
fi
echo "replayed: $(find "${dirs[@]}" -type f | wc -l) inputs"

"$fuzzer" "${options[@]}" -max_total_time="$seconds" -print_final_stats=1 \
  "$work/corpus" "${dirs[@]}" >"$work/fuzz.log" 2>&1 || status=$?
if ((status)); then
  tail -n 80 "$work/fuzz.log"
  echo "error: dq-fuzz-$target failed after fuzzing; the input is in" \
    "$work/artifacts/"
  exit 1
fi
grep -E '^stat::number_of_executed_units' "$work/fuzz.log"
echo "dq-fuzz-$target: no failure in ${seconds}s"
