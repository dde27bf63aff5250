#!/usr/bin/env python3
"""Sequential calibration: quantize a model a few layers at a time, each
group calibrated on the model with the earlier groups already quantized.

decoupleQ at 2 bits depends on it (docs/quantize.md): a layer's Hessian
should describe the inputs it will see at inference, and those come from the
quantized layers before it. One step per group:

    dq-opt --dq-instrument CURRENT | dq-opt --dq-cpu-pipeline   (compile)
    dq-run --calibrate INPUTS --stats-out stats-<i>             (calibrate)
    dq-opt --dq-quantize="stats=stats-<i> layers=<group> ..."  (quantize)

    sequential_quantize.py model.mlir --function forward \\
        --calibrate calib/ --options "method=decoupleq bits=2 group-size=64" \\
        [--groups "q,k,v;o;up;down"] -o model-w2.mlir

Groups are ';'-separated lists of ','-separated layer-name globs, applied in
order; layers no group names come last, one group each. Without --groups
every layer is its own group, in program order. --one-shot calibrates once
on the float model instead (for comparison).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_OBSERVE = re.compile(r'dq\.observe %\S+ layer "((?:[^"\\]|\\.)*)"')
_GLOB_META = re.compile(r"([\\*?\[\]{}])")


class StepError(Exception):
    pass


def run(cmd, what, stdin=None, capture=True):
    proc = subprocess.run(cmd, input=stdin, capture_output=capture)
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace") if capture else ""
        raise StepError("%s failed (exit %d):\n%s" % (what, proc.returncode,
                                                       err[-3000:]))
    return proc


def layer_names(dq_opt, module):
    """Layer names of the weight-bearing matmuls, in program order."""
    text = run([dq_opt, "--dq-instrument", module], "dq-opt --dq-instrument"
               ).stdout.decode()
    names = []
    for m in _OBSERVE.finditer(text):
        if m.group(1) not in names:
            names.append(m.group(1))
    return names


def make_groups(names, spec):
    """Groups of exact layer names from the --groups globs (fnmatch-like)."""
    import fnmatch
    groups, taken = [], set()
    for group in (spec.split(";") if spec else []):
        globs = [g.strip() for g in group.split(",") if g.strip()]
        members = [n for n in names if n not in taken and
                   any(fnmatch.fnmatchcase(n, g) for g in globs)]
        if members:
            groups.append(members)
            taken.update(members)
    groups += [[n] for n in names if n not in taken]
    return groups


def escape(name):
    """A glob matching exactly `name` (dq-quantize's globs)."""
    if "," in name:
        raise StepError("layer name %r contains ',', which the layers= list "
                        "option cannot carry" % name)
    return _GLOB_META.sub(r"\\\1", name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("module")
    ap.add_argument("--function", required=True)
    ap.add_argument("--calibrate", nargs="+", required=True,
                    help="calibration inputs for dq-run --calibrate")
    ap.add_argument("--options", default="method=decoupleq bits=2 "
                    "group-size=64", help="dq-quantize options (no stats=)")
    ap.add_argument("--groups", default="",
                    help="';'-separated groups of ','-separated globs")
    ap.add_argument("--one-shot", action="store_true",
                    help="calibrate once on the float model")
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "bin"))
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--work", help="keep intermediate files here")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()

    dq_opt = os.path.join(args.bin, "dq-opt")
    dq_run = os.path.join(args.bin, "dq-run")
    for tool in (dq_opt, dq_run):
        if not os.access(tool, os.X_OK):
            print("sequential_quantize: error: %s not found (build dq first)" %
                  tool, file=sys.stderr)
            return 1
    work = args.work or tempfile.mkdtemp(prefix="dq-seq-")
    os.makedirs(work, exist_ok=True)
    try:
        names = layer_names(dq_opt, args.module)
        if not names:
            raise StepError("%s has no weight-bearing matmul" % args.module)
        groups = [names] if args.one_shot else make_groups(names, args.groups)
        current = args.module
        for i, group in enumerate(groups):
            start = time.time()
            print("sequential_quantize: step %d/%d: %s" % (
                i + 1, len(groups), ", ".join(group)), file=sys.stderr,
                flush=True)
            inst = os.path.join(work, "step%d-instrumented.mlir" % i)
            stats = os.path.join(work, "step%d-stats.safetensors" % i)
            out = os.path.join(work, "step%d.mlir" % i)
            lowered = run([dq_opt, "--dq-instrument", current],
                          "dq-opt --dq-instrument").stdout
            run([dq_opt, "--dq-cpu-pipeline", "-o", inst], "dq-opt "
                "--dq-cpu-pipeline", stdin=lowered)
            run([dq_run, inst, "--function", args.function, "--threads",
                 str(args.threads), "--calibrate"] + args.calibrate +
                ["--stats-out", stats], "dq-run --calibrate")
            options = "%s stats=%s layers=%s" % (
                args.options, stats, ",".join(escape(n) for n in group))
            proc = run([dq_opt, "--dq-quantize=" + options, current, "-o",
                        out], "dq-opt --dq-quantize")
            sys.stderr.write(proc.stderr.decode(errors="replace"))
            print("sequential_quantize: step %d done in %.1f s" % (
                i + 1, time.time() - start), file=sys.stderr)
            current = out
        with open(current, "rb") as f:
            data = f.read()
        sys.path.insert(0, HERE)
        import dqfiles
        dqfiles.write_atomic(args.output, data)
    except StepError as e:
        print("sequential_quantize: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
