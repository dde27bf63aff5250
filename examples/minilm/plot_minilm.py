#!/usr/bin/env python3
"""Plots run_minilm.py's JSON: mean cosine and recall@10 per configuration
and method, and the latency of every implementation at batch 1 and 8
(matplotlib, from the benchmark venv).

    plot_minilm.py RESULTS.json OUT.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    data = json.load(open(sys.argv[1]))
    rows = [r for r in data["quality"] if r["config"] != "fp32"]
    configs = sorted({r["config"] for r in rows})
    methods = ["rtn", "gptq", "decoupleq"]
    colors = {"rtn": "#bbbbbb", "gptq": "#6c9bd2", "decoupleq": "#d2691e"}
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for ax, key, label in ((axes[0], "cos_mean", "mean cosine to fp32"),
                           (axes[1], "recall10", "recall@10 of fp32 neighbours")):
        width = 0.8 / len(methods)
        for i, m in enumerate(methods):
            xs, ys = [], []
            for j, c in enumerate(configs):
                for r in rows:
                    if r["config"] == c and r["method"] == m:
                        xs.append(j + (i - 1) * width)
                        ys.append(r[key])
            ax.bar(xs, ys, width, label=m, color=colors[m])
        ax.set_xticks(range(len(configs)))
        ax.set_xticklabels([c.replace("w", "W").replace("g", " g")
                            for c in configs])
        ax.set_ylabel(label)
        lo = min(r[key] for r in rows)
        ax.set_ylim(max(0.0, lo - 0.05), 1.0)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(loc="lower right")

    speed = {}
    for key, ms in data["speed_ms"].items():
        name, batch = key.rsplit("|", 1)
        speed.setdefault(name, {})[int(batch)] = ms
    names = sorted(speed, key=lambda n: speed[n][8])
    ax = axes[2]
    ys = range(len(names))
    ax.barh([y - 0.2 for y in ys], [speed[n][1] for n in names], 0.4,
            label="batch 1", color="#6c9bd2")
    ax.barh([y + 0.2 for y in ys], [speed[n][8] for n in names], 0.4,
            label="batch 8", color="#d2691e")
    ax.set_yticks(list(ys))
    ax.set_yticklabels(names, fontsize=8)
    ax.set_xlabel("ms per call, seq 128 (median, %d threads)"
                  % data["threads"])
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right")
    fig.suptitle("all-MiniLM-L6-v2 quantized by dq (sequential calibration), "
                 "%d held-out sentences" % data["eval_sentences"])
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
