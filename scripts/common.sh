# Shell helpers the test and fuzz scripts share; source it, do not run it.

# Exits with a pointer to scripts/setup.sh unless clang-22 and clang++-22
# (with libclang-rt-22-dev's sanitizer runtimes) are on PATH.
require_clang22() {
  local tool
  for tool in clang-22 clang++-22; do
    command -v "$tool" >/dev/null || {
      echo "error: $tool not found (scripts/setup.sh installs clang-22 and" \
        "libclang-rt-22-dev)" >&2
      exit 1
    }
  done
}

# Runs every lit and gtest test of build directory $1 (printing $2 first),
# writes $1/test-results.xml and ends with "N passed, N failed, N skipped";
# returns non-zero if anything failed.
run_test_suite() {
  local build=$1 lit results rc
  lit=$(command -v lit || echo /usr/lib/llvm-22/bin/lit)
  results=$build/test-results.xml
  rm -f "$results"
  echo "==> $2"
  set +e
  "$lit" -sv --xunit-xml-output "$results" "$build/test" "$build/unittests"
  rc=$?
  set -e
  /usr/bin/python3 "$root/scripts/lit_summary.py" "$results" || rc=1
  return $rc
}
