#!/usr/bin/env python3
"""Quality and speed of dq-quant: {RTN, GPTQ, decoupleQ} x bits {2, 3, 4}
x groups {64, 128, per-channel} on every exported MiniLM layer, and the
timing of a synthetic 4096 x 4096 layer against GPTQ measured in the same
run. Writes results.json, a markdown table and a plot.

  run_bench.py --dq-quant build/bin/dq-quant --minilm DIR --synthetic DIR \
      --out OUT_DIR [--threads 2] [--reps 3] [--clip-study]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

METHODS = ["rtn", "gptq", "decoupleq"]
BITS = [2, 3, 4]
GROUPS = [64, 128, -1]


def quant(exe, w, h, method, bits, group, threads, extra=()):
    out = os.path.join(os.path.dirname(w), "out.safetensors")
    cmd = [exe, "--weight", w, "--hessian", h, "--method", method,
           "--bits", str(bits), "--group-size", str(group), "--threads",
           str(threads), "--quiet", "-o", out] + list(extra)
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), res.stderr))
    os.remove(out)
    return json.loads(res.stdout.strip().splitlines()[-1])


def gname(g):
    return "per-channel" if g == -1 else "g%d" % g


def run_minilm(a, results):
    with open(os.path.join(a.minilm, "manifest.json")) as f:
        manifest = json.load(f)
    layers = manifest["layers"]
    total = len(layers) * len(METHODS) * len(BITS) * len(GROUPS)
    done = 0
    start = time.time()
    for layer in layers:
        d = os.path.join(a.minilm, layer["dir"])
        w, h = os.path.join(d, "W.npy"), os.path.join(d, "H.npy")
        for bits in BITS:
            for group in GROUPS:
                for method in METHODS:
                    r = quant(a.dq_quant, w, h, method, bits, group, a.threads)
                    results["minilm"].append({
                        "layer": layer["name"], "rows": layer["rows"],
                        "cols": layer["cols"], "method": method,
                        "bits": bits, "group": group,
                        "error": r["normalized_error"],
                        "seconds": r["seconds"],
                        "cpu_seconds": r["cpu_seconds"]})
                    done += 1
        print("[%d/%d] %s (%.0fs)" % (done, total, layer["name"],
                                      time.time() - start),
              file=sys.stderr, flush=True)


def run_clip_study(a, results):
    """Final decoupleQ error at W2 g64 for clip scoring variants."""
    with open(os.path.join(a.minilm, "manifest.json")) as f:
        layers = json.load(f)["layers"]
    for layer in layers:
        d = os.path.join(a.minilm, layer["dir"])
        w, h = os.path.join(d, "W.npy"), os.path.join(d, "H.npy")
        for exact in (0, 1, 2, 4):
            r = quant(a.dq_quant, w, h, "decoupleq", 2, 64, a.threads,
                      ["--clip-exact-candidates", str(exact)])
            results["clip_study"].append({
                "layer": layer["name"], "exact_candidates": exact,
                "error": r["normalized_error"], "seconds": r["seconds"],
                "cpu_seconds": r["cpu_seconds"]})
        print("clip study: %s" % layer["name"], file=sys.stderr, flush=True)


def run_synthetic(a, results):
    w = os.path.join(a.synthetic, "W.npy")
    h = os.path.join(a.synthetic, "H.npy")
    # Interleaved repetitions: GPTQ (baseline) then decoupleQ, W2 g64.
    for rep in range(a.reps):
        for method in ("gptq", "decoupleq"):
            r = quant(a.dq_quant, w, h, method, 2, 64, a.threads)
            r["rep"] = rep
            results["synthetic"].append(r)
            print("synthetic %s rep %d: %.1fs wall, %.1fs cpu, error %.4g" %
                  (method, rep, r["seconds"], r["cpu_seconds"],
                   r["normalized_error"]), file=sys.stderr, flush=True)


def summarize(results, out):
    lines = []
    rows = results["minilm"]
    if rows:
        lines.append("| bits | group | RTN error | GPTQ error | decoupleQ error "
                     "| dQ < GPTQ < RTN (layers) | dQ <= GPTQ (layers) "
                     "| RTN s | GPTQ s | decoupleQ s |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|")
        layers = sorted({r["layer"] for r in rows})
        for bits in BITS:
            for group in GROUPS:
                sel = {(r["layer"], r["method"]): r for r in rows
                       if r["bits"] == bits and r["group"] == group}
                err = {m: statistics.mean(sel[(l, m)]["error"] for l in layers)
                       for m in METHODS}
                sec = {m: sum(sel[(l, m)]["seconds"] for l in layers)
                       for m in METHODS}
                strict = sum(sel[(l, "decoupleq")]["error"] <
                             sel[(l, "gptq")]["error"] <
                             sel[(l, "rtn")]["error"] for l in layers)
                weak = sum(sel[(l, "decoupleq")]["error"] <=
                           sel[(l, "gptq")]["error"] for l in layers)
                lines.append("| %d | %s | %.4g | %.4g | %.4g | %d/%d | %d/%d "
                             "| %.1f | %.1f | %.1f |" %
                             (bits, gname(group), err["rtn"], err["gptq"],
                              err["decoupleq"], strict, len(layers), weak,
                              len(layers), sec["rtn"], sec["gptq"],
                              sec["decoupleq"]))
        lines.append("")
        lines.append("W2 g64 per layer (normalized error):")
        lines.append("")
        lines.append("| layer | shape | RTN | GPTQ | decoupleQ | decoupleQ s |")
        lines.append("|---|---|---|---|---|---|")
        sel = {(r["layer"], r["method"]): r for r in rows
               if r["bits"] == 2 and r["group"] == 64}
        for l in sorted(layers, key=lambda n: (int(n[1:n.index(".")]), n)):
            r = sel[(l, "rtn")]
            lines.append("| %s | %dx%d | %.4g | %.4g | %.4g | %.2f |" %
                         (l, r["rows"], r["cols"], r["error"],
                          sel[(l, "gptq")]["error"],
                          sel[(l, "decoupleq")]["error"],
                          sel[(l, "decoupleq")]["seconds"]))
    if results["clip_study"]:
        lines.append("")
        lines.append("| clip candidates scored exactly | mean decoupleQ W2 g64 "
                     "error | total seconds |")
        lines.append("|---|---|---|")
        for e in (0, 1, 2, 4):
            sel = [r for r in results["clip_study"]
                   if r["exact_candidates"] == e]
            lines.append("| %s | %.5g | %.1f |" % (
                "all 160 (reference)" if e == 0 else e,
                statistics.mean(r["error"] for r in sel),
                sum(r["seconds"] for r in sel)))
    syn = results["synthetic"]
    if syn:
        lines.append("")
        lines.append("| 4096x4096 W2 g64 | median wall s | median cpu s | "
                     "error |")
        lines.append("|---|---|---|---|")
        med = {}
        for m in ("gptq", "decoupleq"):
            sel = [r for r in syn if r["method"] == m]
            med[m] = statistics.median(r["seconds"] for r in sel)
            lines.append("| %s (%d threads, %d reps) | %.1f | %.1f | %.4g |" % (
                m, sel[0]["threads"], len(sel), med[m],
                statistics.median(r["cpu_seconds"] for r in sel),
                sel[0]["normalized_error"]))
        lines.append("")
        lines.append("decoupleQ / GPTQ time ratio (same run): %.2f" %
                     (med["decoupleq"] / med["gptq"]))
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(text)
    print(text)


def plot(results, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = results["minilm"]
    if not rows:
        return
    layers = sorted({r["layer"] for r in rows},
                    key=lambda n: (int(n[1:n.index(".")]), n))
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), sharey=False)
    for ax, bits in zip(axes, BITS):
        sel = {(r["layer"], r["method"]): r["error"] for r in rows
               if r["bits"] == bits and r["group"] == 64}
        x = range(len(layers))
        for m, style in zip(METHODS, ("o-", "s-", "^-")):
            ax.semilogy(x, [sel[(l, m)] for l in layers], style, ms=3,
                        label={"rtn": "RTN", "gptq": "GPTQ",
                               "decoupleq": "decoupleQ"}[m])
        ax.set_title("W%d g64: all-MiniLM-L6-v2 linear layers" % bits)
        ax.set_xticks(list(x))
        ax.set_xticklabels(layers, rotation=90, fontsize=6)
        ax.set_ylabel("normalized error ||(Ŵ-W)X||² / ||WX||²")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "quantization-minilm.png"), dpi=110)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dq-quant", required=True)
    p.add_argument("--minilm")
    p.add_argument("--synthetic")
    p.add_argument("--out", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--clip-study", action="store_true")
    p.add_argument("--summarize-only", action="store_true")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, "results.json")
    results = {"minilm": [], "clip_study": [], "synthetic": []}
    if a.summarize_only:
        with open(path) as f:
            results = json.load(f)
    else:
        if a.minilm:
            run_minilm(a, results)
            if a.clip_study:
                run_clip_study(a, results)
        if a.synthetic:
            run_synthetic(a, results)
        with open(path, "w") as f:
            json.dump(results, f, indent=1)
    summarize(results, a.out)
    plot(results, a.out)


if __name__ == "__main__":
    main()
