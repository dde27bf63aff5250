#!/usr/bin/env bash
# Builds dq and runs the whole test suite: lit (dialect, conversion,
# integration, docs-sync), the gtest unit tests and a short run of every
# fuzzer (test/Fuzz). Ends with one line "N passed, N failed, N skipped".
#
#   DQ_FUZZ_TEST_SECONDS=15   seconds each fuzzer runs (after replaying its
#                             corpus and regression inputs)
#   DQ_FUZZ=0                 do not build the fuzzers (build-fuzz/): the
#                             fuzz tests then report skipped
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/common.sh"
build=${DQ_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
if [ "${DQ_FUZZ:-1}" != 0 ]; then
  "$root/scripts/fuzz.sh" --build-only
fi

run_test_suite "$build" "running tests"
