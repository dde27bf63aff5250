#!/usr/bin/env python3
"""Plots a scripts/quantize_model.py run from its log: elapsed time against
the groups done (with the one-hour target), and each group's dq-quant time by
kind of group.

  plot_run.py RUN.log OUT.png [--title TEXT]

Needs matplotlib (.venv-bench).
"""
import argparse
import re
import sys

LINE = re.compile(r"^\[(\d+)/(\d+)\] (\S+) (\d+)x(\d+) \(.*\): error .* in "
                  r"([\d.]+) s \(drawn in ([\d.]+) s\) \| (\d+):(\d+):(\d+) "
                  r"elapsed")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("log")
    p.add_argument("out")
    p.add_argument("--title", default="")
    a = p.parse_args()
    rows = []
    with open(a.log) as f:
        for line in f:
            m = LINE.match(line)
            if m:
                h, mnt, s = int(m.group(8)), int(m.group(9)), int(m.group(10))
                rows.append((int(m.group(1)), m.group(3).rsplit(".", 1)[-1],
                             float(m.group(6)), (h * 3600 + mnt * 60 + s) / 60))
    if not rows:
        sys.exit("plot_run.py: no progress lines in %s" % a.log)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = ["qkv", "o", "gate_up", "down"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.plot([r[0] for r in rows], [r[3] for r in rows], color="black")
    left.axhline(60, color="red", linestyle="--", label="1 hour")
    left.set_xlabel("groups done")
    left.set_ylabel("elapsed minutes")
    left.legend()
    left.grid(alpha=0.3)
    for i, kind in enumerate(kinds):
        times = [r[2] for r in rows if r[1] == kind]
        if times:
            right.scatter([i] * len(times), times, s=10, alpha=0.6)
    right.set_xticks(range(len(kinds)))
    right.set_xticklabels(["q,k,v 12288x4096", "o 4096x4096",
                           "gate,up 22016x4096", "down 4096x11008"],
                          rotation=15)
    right.set_ylabel("dq-quant seconds per group")
    right.grid(alpha=0.3)
    if a.title:
        fig.suptitle(a.title)
    fig.tight_layout()
    fig.savefig(a.out, dpi=110)


if __name__ == "__main__":
    main()
