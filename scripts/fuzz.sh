#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang-22, ASan + UBSan) in
# build-fuzz/ and runs each for a bounded time on a scratch copy of its seed
# corpus, one after the other, after replaying fuzz/regressions/<target>/.
#
#   scripts/fuzz.sh                 # build, then run every target 20 s
#   scripts/fuzz.sh 600 quant npy   # 10 minutes each for quant and npy
#   scripts/fuzz.sh --build-only    # just build (scripts/test.sh does this)
#
# Environment: DQ_FUZZ_SECONDS (default 20; the first argument wins),
# DQ_FUZZ_BUILD_DIR (default build-fuzz), DQ_JOBS (default 2). A crash or
# a broken invariant stops the run with a non-zero exit; libFuzzer writes the
# input as build-fuzz/artifacts/<target>/crash-*; fix the library, then keep
# the input in fuzz/regressions/<target>/ so that the tests replay it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/common.sh"
build=${DQ_FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${DQ_JOBS:-2}
seconds=${DQ_FUZZ_SECONDS:-20}
build_only=0
targets=()
for arg in "$@"; do
  case $arg in
  --build-only) build_only=1 ;;
  -h | --help)
    sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  *[!0-9]*) targets+=("$arg") ;;
  *) seconds=$arg ;;
  esac
done
((${#targets[@]})) || targets=(safetensors npy stats ir quant)

require_clang22

echo "==> configuring $build (clang-22, libFuzzer + ASan + UBSan)"
generator=()
[ -f "$build/CMakeCache.txt" ] || generator=(-G Ninja)
CC=clang-22 CXX=clang++-22 cmake "${generator[@]}" -S "$root" -B "$build" \
  -DDQ_FUZZ=ON >/dev/null
echo "==> building the fuzzers (-j$jobs)"
cmake --build "$build" -j "$jobs" --target dq-fuzzers
((build_only)) && exit 0

# Leaks are findings too; a slow or huge input is reported as such.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${targets[@]}"; do
  fuzzer=$build/bin/dq-fuzz-$t
  [ -x "$fuzzer" ] || {
    echo "error: no fuzz target '$t' ($fuzzer)" >&2
    exit 1
  }
  corpus=$build/corpus/$t
  artifacts=$build/artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  cp -n "$root/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null || true
  regressions=()
  [ -d "$root/fuzz/regressions/$t" ] && regressions=("$root/fuzz/regressions/$t")
  dict=()
  [ -f "$root/fuzz/$t.dict" ] && dict=(-dict="$root/fuzz/$t.dict")
  echo "==> fuzzing $t for ${seconds}s"
  "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=4096 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "${dict[@]}" "$corpus" "${regressions[@]}" 2>"$build/fuzz-$t.log" || {
    tail -n 60 "$build/fuzz-$t.log" >&2
    echo "error: fuzz target '$t' failed; see $build/fuzz-$t.log and" \
      "$artifacts/" >&2
    exit 1
  }
  grep -E "^stat::number_of_executed_units|^Done " "$build/fuzz-$t.log" || true
done
