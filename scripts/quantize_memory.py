#!/usr/bin/env python3
"""Peak memory of dq-opt --dq-quantize against the number of layers.

    quantize_memory.py --dq-opt build/bin/dq-opt --work /tmp/mem \\
        --layers 8 32 --width 512 [--method rtn] [--max-growth-mb 4]

For each layer count L it writes a float MLP of L equal layers and its
statistics (scripts/dqgen.py deep-mlp), then measures the peak resident set
(ru_maxrss of the child) of
  plain:    dq-opt MODEL -o OUT                       (parse + print only)
  quantize: dq-opt --dq-quantize=... MODEL -o OUT
The module itself (its float weights) is in memory in both; the difference,
"extra", is what quantizing costs. When the pass streams layer by layer,
extra depends on the largest layer, not on L: with --max-growth-mb the
script fails (exit 1) if extra grows by more than that from the smallest to
the largest L.
"""

import argparse
import os
import subprocess
import sys
import time

DQGEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dqgen.py")


def peak_rss_mb(cmd):
    """Runs cmd; returns (peak RSS in MiB, seconds). Fails on a non-zero exit.

    Linux keeps a process's peak RSS across exec, so the child starts from
    this script's own RSS: the script stays small (it imports nothing big
    and leaves generating the models to dqgen.py in a process of its own).
    """
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit("error: %s failed (%d):\n%s" % (" ".join(cmd),
                                                 proc.returncode, err))
    return usage.ru_maxrss / 1024.0, time.monotonic() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dq-opt", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--layers", type=int, nargs="+", required=True)
    ap.add_argument("--width", type=int, default=512)
    ap.add_argument("--method", default="rtn")
    ap.add_argument("--bits", type=int, default=2)
    ap.add_argument("--group-size", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-growth-mb", type=float)
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per measurement; the least peak counts")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)

    extras = []
    for layers in sorted(args.layers):
        model = os.path.join(args.work, "mlp%d.mlir" % layers)
        stats = os.path.join(args.work, "stats%d.safetensors" % layers)
        out = os.path.join(args.work, "out%d.mlir" % layers)
        subprocess.run([sys.executable, DQGEN, "deep-mlp", "--layers",
                        str(layers), "--width", str(args.width), "-o", model,
                        "--stats", stats], check=True,
                       stdout=subprocess.DEVNULL)
        # The least peak of a few runs: a peak picks up noise that only
        # adds (allocator arenas, the machine's other load), seen once as a
        # spurious growth past 4 MiB in a full test run.
        plain = min(peak_rss_mb([args.dq_opt, model, "-o", out])[0]
                    for _ in range(args.repeat))
        runs = [peak_rss_mb([
            args.dq_opt, model, "-o", out,
            "--dq-quantize=stats=%s method=%s bits=%d group-size=%d "
            "threads=%d quiet=true" % (stats, args.method, args.bits,
                                       args.group_size, args.threads)])
            for _ in range(args.repeat)]
        quant, secs = min(runs)
        extras.append(quant - plain)
        print("layers %3d width %d: model %.1f MiB, stats %.1f MiB; peak RSS "
              "plain %.1f MiB, quantize %.1f MiB (%.1f s); extra %.1f MiB" % (
                  layers, args.width, os.path.getsize(model) / 2**20,
                  os.path.getsize(stats) / 2**20, plain, quant, secs,
                  quant - plain))
        for path in (model, stats, out):
            os.unlink(path)
    growth = extras[-1] - extras[0]
    print("extra grows by %.1f MiB from %d to %d layers" % (
        growth, min(args.layers), max(args.layers)))
    if args.max_growth_mb is not None and growth > args.max_growth_mb:
        print("error: quantizing does not stream layer by layer: extra memory "
              "grows by %.1f MiB > %.1f MiB" % (growth, args.max_growth_mb))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
