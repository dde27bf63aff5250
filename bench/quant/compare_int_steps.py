#!/usr/bin/env python3
"""Compares decoupleQ's integer steps (gptq, pgd, flexround) on exported
layers (export_minilm.py): mean normalized error and seconds per step kind
and bit width. The step kinds of one layer run back to back, so that load
from other jobs falls on all of them alike. Prints a markdown table and the
load average before and after; --json writes every run.

  compare_int_steps.py --dq-quant build/bin/dq-quant --layers DIR/L0.q ... \\
      [--bits 2 3 4] [--group-size 64] [--threads 2] [--json out.json]
"""
import argparse
import json
import os
import subprocess
import tempfile

STEPS = ["gptq", "pgd", "flexround"]


def run(dq_quant, layer, bits, group, step, threads, out):
    cmd = [dq_quant, "--quiet", "--weight", os.path.join(layer, "W.npy"),
           "--hessian", os.path.join(layer, "H.npy"), "--method", "decoupleq",
           "--bits", str(bits), "--group-size", str(group),
           "--threads", str(threads), "--int-step", step, "-o", out]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dq-quant", required=True)
    p.add_argument("--layers", nargs="+", required=True)
    p.add_argument("--bits", nargs="+", type=int, default=[2, 3, 4])
    p.add_argument("--group-size", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json")
    a = p.parse_args()
    env_note = os.environ.get("OPENBLAS_CORETYPE", "unset")
    print("load average before: %s; OPENBLAS_CORETYPE=%s" % (loadavg(),
                                                           env_note))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "o.safetensors")
        for bits in a.bits:
            for layer in a.layers:
                for step in STEPS:
                    r = run(a.dq_quant, layer, bits, a.group_size, step,
                            a.threads, out)
                    rows.append({"layer": os.path.basename(layer.rstrip("/")),
                                 "shape": "%dx%d" % (r["rows"], r["cols"]),
                                 "bits": bits, "step": step,
                                 "error": r["normalized_error"],
                                 "seconds": r["seconds"],
                                 "cpu_seconds": r["cpu_seconds"]})
    print("load average after: %s" % loadavg())
    n = len(a.layers)
    print("\n| bits | step | mean normalized error | best on (layers) "
          "| total s | total CPU s |")
    print("|---|---|---|---|---|---|")
    for bits in a.bits:
        sel = [r for r in rows if r["bits"] == bits]
        best = {}
        for r in sel:
            if r["layer"] not in best or r["error"] < best[r["layer"]]:
                best[r["layer"]] = r["error"]
        for step in STEPS:
            rs = [r for r in sel if r["step"] == step]
            wins = sum(r["error"] <= best[r["layer"]] for r in rs)
            print("| %d | %s | %.5g | %d/%d | %.1f | %.1f |" % (
                bits, step, sum(r["error"] for r in rs) / n, wins, n,
                sum(r["seconds"] for r in rs),
                sum(r["cpu_seconds"] for r in rs)))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
