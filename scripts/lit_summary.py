#!/usr/bin/env python3
"""Prints 'N passed, N failed, N skipped' from lit's xunit XML output."""
import sys
import xml.etree.ElementTree as ET

if len(sys.argv) != 2:
    sys.exit("usage: lit_summary.py RESULTS.xml")
try:
    cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
except (OSError, ET.ParseError) as err:
    sys.exit(f"error: cannot read test results {sys.argv[1]}: {err}")
passed = failed = skipped = 0
for case in cases:
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
    elif case.find("skipped") is not None:
        skipped += 1
    else:
        passed += 1
if passed + failed == 0:
    sys.exit("error: no test was executed")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
