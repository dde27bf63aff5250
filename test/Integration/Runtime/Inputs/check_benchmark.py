"""check_benchmark.py OUT RUNS: checks dq-run --benchmark's stdout.

The last line must be JSON with min_us <= median_us <= max_us (positive)
and runs == RUNS; the line before it repeats the three numbers.
"""
import json
import re
import sys

lines = open(sys.argv[1]).read().splitlines()
runs = int(sys.argv[2])
summary = json.loads(lines[-1])
assert summary["runs"] == runs, summary
assert 0 < summary["min_us"] <= summary["median_us"] <= summary["max_us"], summary
assert summary["function"] == "add" and summary["device"] == "cpu", summary
m = re.fullmatch(r"min ([\d.]+) us, median ([\d.]+) us, max ([\d.]+) us "
                 r"\((\d+) runs\)", lines[-2])
assert m, lines[-2]
for key, text in zip(("min_us", "median_us", "max_us"), m.groups()):
    assert abs(float(text) - summary[key]) <= 5e-4, (key, text, summary)
assert int(m.group(4)) == runs
print("benchmark ok")
