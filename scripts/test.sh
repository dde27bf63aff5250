#!/usr/bin/env bash
# Builds dq and runs the whole test suite: lit (dialect, conversion,
# integration, docs-sync) and the gtest unit tests. Ends with one line
# "N passed, N failed, N skipped".
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${DQ_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"

lit=$(command -v lit || echo /usr/lib/llvm-22/bin/lit)
results=$build/test-results.xml
rm -f "$results"
echo "==> running tests"
set +e
"$lit" -sv --xunit-xml-output "$results" "$build/test" "$build/unittests"
rc=$?
set -e
/usr/bin/python3 "$root/scripts/lit_summary.py" "$results" || rc=1
exit $rc
