#!/usr/bin/env bash
# Builds dq with AddressSanitizer + UndefinedBehaviorSanitizer (clang-22,
# -DDQ_SANITIZE=ON) in build-asan/ and runs the whole test suite (lit and
# gtest, as scripts/test.sh does) on that build. Ends with one line
# "N passed, N failed, N skipped". Not part of CI (a sanitized build of
# everything takes long on 2 cores); docs/reliability.md has the last result.
#
#   scripts/test-sanitizers.sh
#   DQ_ASAN_BUILD_DIR=out DQ_JOBS=1 scripts/test-sanitizers.sh
#
# Every sanitizer report is fatal (halt_on_error, -fno-sanitize-recover),
# leaks included. scripts/sanitizers/lsan.supp lists the suppressions and
# why; none is for dq's own code. The fuzz tests are skipped here: the
# fuzzers are sanitized builds of their own (scripts/fuzz.sh).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/common.sh"
build=${DQ_ASAN_BUILD_DIR:-$root/build-asan}
jobs=${DQ_JOBS:-2}
venv=$root/.venv

require_clang22
[ -x "$venv/bin/python3" ] || {
  echo "error: no $venv (run scripts/setup.sh first)" >&2
  exit 1
}

echo "==> configuring $build (clang-22, ASan + UBSan)"
generator=()
[ -f "$build/CMakeCache.txt" ] || generator=(-G Ninja)
CC=clang-22 CXX=clang++-22 cmake "${generator[@]}" -S "$root" -B "$build" \
  -DDQ_SANITIZE=ON -DDQ_PYTHON="$venv/bin/python3" >/dev/null
echo "==> building (-j$jobs)"
cmake --build "$build" -j "$jobs"

# verify_asan_link_order=0: test/Docs/runtime-example.test links a program
# built by the system cc (not sanitized) against libdqrt.so, which brings the
# shared ASan runtime in after libc; dq's code in it is still checked.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=1:verify_asan_link_order=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/scripts/sanitizers/lsan.supp:print_suppressions=0}
export DQ_FUZZ=0

run_test_suite "$build" "running tests under ASan + UBSan"
