#!/usr/bin/env python3
"""The main job on the bundled example: calibrate, quantize, compile, run,
and print accuracy and speed.

The float model is examples/mlp_f32.mlir (a 2-layer MLP in linalg,
128 -> 192 -> ReLU -> 32, batch 16). Inputs are correlated features
(dqgen.mlp_inputs); calibration and evaluation use disjoint draws.

  1. calibrate: dq-opt --dq-instrument | --dq-cpu-pipeline, then
     dq-run --calibrate over the calibration batches -> stats.safetensors;
  2. quantize: dq-opt --dq-quantize with RTN, GPTQ and decoupleQ at 4 and 2
     bits (group 64), and decoupleQ at 2 bits with sequential calibration
     (scripts/sequential_quantize.py);
  3. compile each with --dq-cpu-pipeline and dq-compile (ahead of time);
  4. run with dq-run on the held-out batches, compare with the float model
     (relative error, cosine), check the compiler against a float64 forward
     pass of each module's own dequantized weights, and time one batch
     (dq-run --benchmark, median).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dqgen  # noqa: E402

CONFIGS = (
    # name, method, bits, sequential
    ("rtn-w4", "rtn", 4, False),
    ("gptq-w4", "gptq", 4, False),
    ("dq-w4", "decoupleq", 4, False),
    ("rtn-w2", "rtn", 2, False),
    ("gptq-w2", "gptq", 2, False),
    ("dq-w2", "decoupleq", 2, False),
    ("dq-w2-seq", "decoupleq", 2, True),
)
_LAYER_LINE = re.compile(r"dq-quantize: \[\d+/\d+\] (\S+) .*: error ([0-9.e+-]+)")


class JobError(Exception):
    pass


def run(cmd, what, stdin=None):
    proc = subprocess.run(cmd, input=stdin, capture_output=True)
    if proc.returncode != 0:
        raise JobError("%s failed (exit %d):\n%s" % (
            what, proc.returncode, proc.stderr.decode(errors="replace")[-3000:]))
    return proc


def say(msg):
    print("==> " + msg, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--examples", default=os.path.join(HERE, "..", "examples"))
    ap.add_argument("--work", help="working folder (default BUILD/example)")
    ap.add_argument("--calib-batches", type=int, default=32)
    ap.add_argument("--eval-batches", type=int, default=4)
    ap.add_argument("--bench-runs", type=int, default=200)
    ap.add_argument("--json-out", help="also write the results as JSON")
    ap.add_argument("--quick", action="store_true",
                    help="fewer configurations and runs (for tests)")
    args = ap.parse_args()

    bin_dir = os.path.join(args.build, "bin")
    tools = {t: os.path.join(bin_dir, t)
             for t in ("dq-opt", "dq-run", "dq-compile")}
    for path in tools.values():
        if not os.access(path, os.X_OK):
            raise JobError("%s not found; run scripts/setup.sh first" % path)
    work = args.work or os.path.join(args.build, "example")
    if os.path.isdir(work):
        shutil.rmtree(work)
    os.makedirs(os.path.join(work, "calib"))
    os.makedirs(os.path.join(work, "eval"))
    model = os.path.join(args.examples, "mlp_f32.mlir")
    if not os.path.exists(model):
        raise JobError("%s is missing; regenerate with scripts/dqgen.py "
                       "example" % model)
    configs = CONFIGS
    if args.quick:
        configs = [c for c in CONFIGS if c[0] in ("rtn-w2", "dq-w2", "dq-w4")]
        args.bench_runs = 20

    # Data: disjoint calibration and evaluation draws.
    calib = dqgen.mlp_inputs(args.calib_batches, seed=1)
    evals = dqgen.mlp_inputs(args.eval_batches, seed=2)
    for i, x in enumerate(calib):
        np.save(os.path.join(work, "calib", "b%03d.npy" % i),
                x.astype(np.float32))
    eval_files = []
    for i, x in enumerate(evals):
        eval_files.append(os.path.join(work, "eval", "b%03d.npy" % i))
        np.save(eval_files[-1], x.astype(np.float32))
    _, floats = dqgen.read_module(model)
    reference = [dqgen.mlp_forward(x, floats["w1"], floats["b1"],
                                   floats["w2"], floats["b2"]) for x in evals]

    def compile_module(path, name):
        lowered = os.path.join(work, name + ".ll.mlir")
        shared = os.path.join(work, name + ".so")
        run([tools["dq-opt"], "--dq-cpu-pipeline", path, "-o", lowered],
            "dq-opt --dq-cpu-pipeline (%s)" % name)
        run([tools["dq-compile"], lowered, "-o", shared],
            "dq-compile (%s)" % name)
        return shared

    def evaluate(shared, name):
        outputs = []
        for i, f in enumerate(eval_files):
            out = os.path.join(work, "%s-out%d.npy" % (name, i))
            run([tools["dq-run"], shared, "--function", "forward", "--input",
                 f, "--output", out], "dq-run (%s)" % name)
            outputs.append(np.load(out).astype(np.float64))
        bench = run([tools["dq-run"], shared, "--function", "forward",
                     "--input", eval_files[0], "--benchmark",
                     str(args.bench_runs), "--threads", "1"],
                    "dq-run --benchmark (%s)" % name)
        timing = json.loads(bench.stdout.decode().strip().splitlines()[-1])
        return outputs, timing["median_us"]

    # 1. Calibrate.
    t0 = time.time()
    say("calibrating %s on %d batches of %d rows" % (
        os.path.basename(model), len(calib), calib[0].shape[0]))
    instrumented = run([tools["dq-opt"], "--dq-instrument", model],
                       "dq-opt --dq-instrument").stdout
    inst = os.path.join(work, "instrumented.ll.mlir")
    run([tools["dq-opt"], "--dq-cpu-pipeline", "-o", inst],
        "dq-opt --dq-cpu-pipeline (instrumented)", stdin=instrumented)
    stats = os.path.join(work, "stats.safetensors")
    run([tools["dq-run"], inst, "--function", "forward", "--calibrate",
         os.path.join(work, "calib"), "--stats-out", stats],
        "dq-run --calibrate")

    # The float model.
    say("compiling and running the float model")
    results = []
    shared = compile_module(model, "f32")
    outputs, f32_us = evaluate(shared, "f32")
    results.append(("fp32", {}, outputs, reference, f32_us,
                    os.path.getsize(model)))

    # 2-4. Quantize, compile, run.
    for name, method, bits, sequential in configs:
        say("quantizing: %s (%s, %d bits, group 64%s)" % (
            name, method, bits, ", sequential calibration" if sequential
            else ""))
        out = os.path.join(work, name + ".mlir")
        options = "method=%s bits=%d group-size=64" % (method, bits)
        if sequential:
            proc = run([sys.executable, os.path.join(HERE,
                        "sequential_quantize.py"), model, "--function",
                        "forward", "--calibrate", os.path.join(work, "calib"),
                        "--options", options, "--bin", bin_dir,
                        "--work", os.path.join(work, name + "-steps"),
                        "-o", out], "sequential_quantize.py")
        else:
            proc = run([tools["dq-opt"], "--dq-quantize=%s stats=%s" % (
                options, stats), model, "-o", out], "dq-opt --dq-quantize")
        layers = dict(_LAYER_LINE.findall(proc.stderr.decode()))
        weights, _ = dqgen.read_module(out)
        by_layer = {w["resource"][:-len(".q")]: w for w in weights.values()}
        if sorted(by_layer) != ["fc1_w", "fc2_w"]:
            raise JobError("%s: expected dq weights fc1_w and fc2_w, found "
                           "%s" % (out, sorted(by_layer)))
        w1, w2 = (dqgen.dequantize(w["q"], w["s"], w["z"], w["group"])
                  for w in (by_layer["fc1_w"], by_layer["fc2_w"]))
        own_ref = [dqgen.mlp_forward(x, w1, floats["b1"], w2, floats["b2"])
                   for x in evals]
        shared = compile_module(out, name)
        outputs, us = evaluate(shared, name)
        results.append((name, layers, outputs, own_ref, us,
                        sum(w["packed_bytes"] + 2 * w["s"].size * 2
                            for w in by_layer.values())))

    # Report.
    ref = np.concatenate(reference)
    print()
    print("MLP 128 -> 192 -> ReLU -> 32, batch %d; %d calibration rows, %d "
          "held-out rows; %.0f s" % (calib[0].shape[0],
                                     sum(len(x) for x in calib), len(ref),
                                     time.time() - t0))
    print("%-10s %9s %9s %9s %10s %9s %9s %9s %8s" % (
        "config", "err fc1", "err fc2", "weight B", "rel err", "cosine",
        "vs own W", "us/batch", "speedup"))
    failures, summary = [], []
    for name, layers, outputs, own_ref, us, nbytes in results:
        y = np.concatenate(outputs)
        rel = np.linalg.norm(y - ref) / np.linalg.norm(ref)
        cos = np.mean(np.sum(y * ref, axis=1) /
                      (np.linalg.norm(y, axis=1) * np.linalg.norm(ref, axis=1)))
        own = np.concatenate(own_ref)
        exact = np.abs(y - own).max() / np.abs(own).max()
        # f32 accumulation over <= 192 terms: far below 1e-4 of the scale.
        if not exact < 1e-4:
            failures.append(name)
        if name == "fp32":
            nbytes = 4 * (floats["w1"].size + floats["w2"].size)
        summary.append(dict(config=name, layer_errors={
            k: float(v) for k, v in layers.items()}, weight_bytes=nbytes,
            rel_err=float(rel), cosine=float(cos), exactness=float(exact),
            median_us=us))
        print("%-10s %9s %9s %9d %10.2e %9.5f %9.1e %9.1f %7.2fx" % (
            name, layers.get("fc1_w", "-")[:9], layers.get("fc2_w", "-")[:9],
            nbytes, rel, cos, exact, us, f32_us / us))
    print()
    print("err fc1/fc2: dq-quantize's normalized layer error "
          "Σ(ŵ-w)ᵀH(ŵ-w)/ΣwᵀHw on the calibration statistics.")
    print("rel err, cosine: output vs the float model on held-out inputs.")
    print("vs own W: max |y - y64|/max |y64| against a float64 forward pass "
          "of the module's own dequantized weights (compiler exactness).")
    print("us/batch: dq-run --benchmark median, 1 thread, ahead-of-time "
          "compiled.")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(summary, f, indent=1)
    if failures:
        raise JobError("compiled output differs from the float64 reference: "
                       + ", ".join(failures))


if __name__ == "__main__":
    try:
        main()
    except JobError as e:
        print("run_example: error: %s" % e, file=sys.stderr)
        sys.exit(1)
