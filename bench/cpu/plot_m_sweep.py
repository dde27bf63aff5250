#!/usr/bin/env python3
"""Plots run_bench.py's JSON: GFLOP/s of the int8 and exact f32 routes and
OpenBLAS sgemm against M (rows of the activation), one panel per weight
and thread count (matplotlib, from the benchmark venv).

    plot_m_sweep.py RESULTS.json OUT.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip())
    data = json.load(open(sys.argv[1]))
    rows = data["rows"]
    panels = sorted({(r["n"], r["k"], r["bits"], r["group"], r["threads"])
                     for r in rows})
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.8),
                             squeeze=False)
    for ax, (n, k, bits, group, threads) in zip(axes[0], panels):
        sel = sorted((r for r in rows if (r["n"], r["k"], r["bits"],
                                          r["group"], r["threads"]) ==
                      (n, k, bits, group, threads)), key=lambda r: r["m"])
        ms = [r["m"] for r in sel]
        for key, label, style in (("int8_gflops", "dq int8 route", "o-"),
                                  ("f32_gflops", "dq f32 route (exact)",
                                   "s-"),
                                  ("blas_gflops", "OpenBLAS sgemm", "^--")):
            ax.plot(ms, [r[key] for r in sel], style, label=label)
        ax.set_xscale("log", base=2)
        ax.set_xticks(ms)
        ax.set_xticklabels([str(m) for m in ms])
        ax.set_xlabel("M (activation rows)")
        ax.set_ylabel("GFLOP/s (2MNK / time)")
        ax.set_title("W%d g%d %dx%d, %d thread%s" % (
            bits, group, n, k, threads, "s" if threads > 1 else ""))
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.suptitle("%s; %s" % (data.get("cpu", "?"), data.get("command", "")),
                 fontsize=8)
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
