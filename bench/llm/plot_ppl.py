#!/usr/bin/env python3
"""docs/llm-ppl.png: SmolLM2-135M perplexity against bits per weight of the
block linears, dq's methods (examples/llm/run_llm.py --json) beside
llama.cpp (bench/llm/llamacpp_peer.py ppl --json).

    plot_ppl.py bench/llm/results/ppl-quantized.json \
        bench/llm/results/ppl-quantized-w3-w2g32.json \
        bench/llm/results/ppl-llamacpp.json -o docs/llm-ppl.png

Every file but llama.cpp's (the one without "calib_windows") is a dq run;
their rows are merged, and must share the evaluation tokens.
"""

import argparse
import json

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    dq, peer = None, None
    for path in a.files:
        with open(path) as f:
            data = json.load(f)
        if "calib_windows" not in data:
            peer = data["results"]
        elif dq is None:
            dq = data
        elif data["tokens"] != dq["tokens"]:
            ap.error("%s scores %d tokens, the first dq run %d"
                     % (path, data["tokens"], dq["tokens"]))
        else:
            dq["results"].update(data["results"])
    if dq is None:
        ap.error("no dq run (examples/llm/run_llm.py --json) among the files")
    fig, ax = plt.subplots(figsize=(7, 4.5))
    marks = {"rtn": "v", "gptq": "s", "decoupleq": "o"}
    for method, mark in marks.items():
        pts = sorted((r["linear_bits"], r["ppl"])
                     for n, r in dq["results"].items()
                     if n.endswith("-" + method))
        if pts:
            ax.plot(*zip(*pts), marker=mark, label="dq " + method)
    fp32 = dq["results"]["pytorch-fp32"]["ppl"]
    ax.axhline(fp32, color="gray", ls="--", lw=1,
               label="fp32 (%.2f)" % fp32)
    if peer:
        for imatrix, mark in (("", "^"), ("-imatrix", "D")):
            pts = sorted((r["linear_bits"], r["ppl"]) for n, r in peer.items()
                         if n != "f16" and n.endswith("-imatrix") == bool(imatrix))
            if pts:
                ax.plot(*zip(*pts), marker=mark, ls=":",
                        label="llama.cpp Q2_K/Q3_K_M/Q4_K_M" + imatrix)
    ax.set_yscale("log")
    ax.set_xlabel("bits per weight of the block linears (scales included)")
    ax.set_ylabel("perplexity (%d tokens)" % dq["tokens"])
    ax.set_title("SmolLM2-135M, Wikipedia evaluation windows")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(a.output, dpi=110)


if __name__ == "__main__":
    main()
