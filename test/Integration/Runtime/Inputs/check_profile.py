"""Checks a `dq-run --profile-json` file against what the module must do.

check_profile.py PROFILE.json RUNS [--expect CLASS=N ...] [--dominant CLASS
--over CLASS --factor F]

- every region ran once per call (calls_per_run == 1);
- the classes' times are the sums of their regions' times, and their
  region counts those of the regions;
- the regions' times and the time outside them add up to the call's time,
  and no region took more than the call;
- with --expect, class CLASS has N regions (and no other class has any);
- with --dominant, that class took at least F times the other's time.
Prints one line per class, then "profile ok".
"""

import argparse
import json
import math
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("profile")
    ap.add_argument("runs", type=int)
    ap.add_argument("--expect", nargs="*", default=[])
    ap.add_argument("--dominant")
    ap.add_argument("--over")
    ap.add_argument("--factor", type=float, default=1.0)
    args = ap.parse_args()
    with open(args.profile) as f:
        doc = json.load(f)
    errors = []
    if doc["runs"] != args.runs:
        errors.append(f"runs {doc['runs']}, expected {args.runs}")
    total = doc["us_per_call"]
    regions = doc["regions"]
    by_class = {}
    for r in regions:
        if r["calls_per_run"] != 1:
            errors.append(f"region {r['region']} ran {r['calls_per_run']} "
                          "times per call")
        if r["us_per_call"] < 0 or r["us_per_call"] > total * (1 + 1e-9):
            errors.append(f"region {r['region']} took {r['us_per_call']} us "
                          f"of a {total} us call")
        t, n = by_class.get(r["class"], (0.0, 0))
        by_class[r["class"]] = (t + r["us_per_call"], n + 1)
    listed = {c["class"]: c for c in doc["classes"]}
    if set(listed) != set(by_class):
        errors.append(f"classes {sorted(listed)} != regions' {sorted(by_class)}")
    for name, (t, n) in by_class.items():
        c = listed.get(name)
        if c and (c["regions"] != n or
                  not math.isclose(c["us_per_call"], t, rel_tol=1e-9,
                                   abs_tol=1e-9)):
            errors.append(f"class {name}: {c} but its regions sum to "
                          f"{t} us over {n}")
    covered = sum(t for t, _ in by_class.values())
    if covered > total * (1 + 1e-9):
        errors.append(f"regions sum to {covered} us, more than the call's "
                      f"{total} us")
    if not math.isclose(covered + doc["outside_regions_us_per_call"], total,
                        rel_tol=1e-9, abs_tol=1e-6):
        errors.append(f"regions {covered} + outside "
                      f"{doc['outside_regions_us_per_call']} != {total}")
    expected = {}
    for item in args.expect:
        name, count = item.split("=")
        expected[name] = int(count)
    if args.expect:
        got = {name: n for name, (_, n) in by_class.items()}
        if got != expected:
            errors.append(f"region counts by class {got}, expected {expected}")
    if args.dominant:
        big = by_class.get(args.dominant, (0.0, 0))[0]
        small = by_class.get(args.over, (0.0, 0))[0]
        if not big >= args.factor * small:
            errors.append(f"{args.dominant} took {big} us, not {args.factor}x "
                          f"{args.over}'s {small} us")
    for name in sorted(by_class):
        print(f"class {name}: {by_class[name][1]} regions")
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    print("profile ok")


if __name__ == "__main__":
    main()
