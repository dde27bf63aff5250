#!/usr/bin/env python3
"""The main job on the bundled example: compile, run, print accuracy and speed.

For each example module (the 2-layer MLP in fp32, W2 g64 and W4 g64, see
examples/): compile it with `dq-opt --dq-cpu-pipeline`, run it with
`mlir-runner`, and compare its output with

  * the float64 forward pass of the fp32 model (how much quantization costs),
  * the float64 forward pass of the module's own (dequantized) weights (that
    the compiler computes what the IR says; this must be at rounding level).

The example modules time their own forward pass (average over the runs in
@main); the table shows that time and the weight bytes.
"""

import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dqgen  # noqa: E402

LLVM = os.environ.get("DQ_LLVM_PREFIX", "/usr/lib/llvm-22")
EXAMPLES = ("mlp_f32", "mlp_w2g64", "mlp_w4g64")


def fail(msg):
    print("run_example: error: %s" % msg, file=sys.stderr)
    sys.exit(1)


def run(cmd, stdin=None):
    proc = subprocess.run(cmd, input=stdin, capture_output=True)
    if proc.returncode != 0:
        fail("%s failed (exit %d):\n%s" % (
            " ".join(cmd[:2]), proc.returncode,
            proc.stderr.decode(errors="replace")[-2000:]))
    return proc.stdout


def parse_output(text, shape):
    """The printed memref, then seconds per forward pass, then a checksum."""
    body = text[text.index("data =") + len("data ="):]
    numbers = re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf",
                         body)
    count = int(np.prod(shape))
    if len(numbers) != count + 2:
        fail("expected %d printed numbers, got %d" % (count + 2, len(numbers)))
    values = np.array([float(v) for v in numbers], dtype=np.float64)
    return values[:count].reshape(shape), values[count]


def weight_bytes(path, weights, floats):
    """Bytes of the weight matrices as stored: packed Q + s + z, or f32."""
    if weights:
        return sum(w["packed_bytes"] + 2 * w["s"].size *
                   dqgen.FLOAT_SIZE[w["scale_type"]] for w in weights.values())
    return sum(a.size * 4 for name, a in floats.items()
               if name in ("w1", "w2"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--examples", default=os.path.join(HERE, "..", "examples"))
    args = ap.parse_args()

    dq_opt = os.path.join(args.build, "bin", "dq-opt")
    runner = os.path.join(LLVM, "bin", "mlir-runner")
    libs = ",".join(os.path.join(LLVM, "lib", l) for l in (
        "libmlir_runner_utils.so", "libmlir_c_runner_utils.so"))
    for tool in (dq_opt, runner):
        if not os.access(tool, os.X_OK):
            fail("%s not found; run scripts/setup.sh first" % tool)

    params = dqgen.mlp_params()
    fp32_ref = dqgen.mlp_forward(params["x"], params["w1"], params["b1"],
                                 params["w2"], params["b2"])
    shape = fp32_ref.shape
    rows = []
    for name in EXAMPLES:
        path = os.path.join(args.examples, name + ".mlir")
        if not os.path.exists(path):
            fail("%s is missing; regenerate with scripts/dqgen.py example" %
                 path)
        weights, floats = dqgen.read_module(path)
        if weights:
            w1 = dqgen.dequantize(weights["w1"]["q"], weights["w1"]["s"],
                                  weights["w1"]["z"], weights["w1"]["group"])
            w2 = dqgen.dequantize(weights["w2"]["q"], weights["w2"]["s"],
                                  weights["w2"]["z"], weights["w2"]["group"])
        else:
            w1, w2 = floats["w1"], floats["w2"]
        own_ref = dqgen.mlp_forward(floats["x"], w1, floats["b1"], w2,
                                    floats["b2"])

        print("==> %s: compiling with dq-opt --dq-cpu-pipeline" % name,
              flush=True)
        t0 = time.perf_counter()
        llvm_ir = run([dq_opt, "--dq-cpu-pipeline", path])
        compile_s = time.perf_counter() - t0
        print("==> %s: running with mlir-runner" % name, flush=True)
        out = run([runner, "-e", "main", "-entry-point-result=void",
                   "-O3", "-shared-libs=" + libs], stdin=llvm_ir).decode()
        y, seconds = parse_output(out, shape)

        exact = np.abs(y - own_ref).max() / np.abs(own_ref).max()
        rel = np.linalg.norm(y - fp32_ref) / np.linalg.norm(fp32_ref)
        cos = np.mean(np.sum(y * fp32_ref, axis=1) /
                      (np.linalg.norm(y, axis=1) *
                       np.linalg.norm(fp32_ref, axis=1)))
        rows.append((name, weight_bytes(path, weights, floats), rel, cos,
                     exact, seconds, compile_s))

    base = rows[0][5]
    print()
    print("MLP %d -> %d -> %d, batch %d; accuracy against the float64 fp32 "
          "model" % (params["w1"].shape[1], params["w1"].shape[0],
                     params["w2"].shape[0], shape[0]))
    print("%-10s %12s %10s %10s %12s %12s %8s" % (
        "model", "weight B", "rel err", "cosine", "vs own W", "us/forward",
        "speedup"))
    for name, nbytes, rel, cos, exact, seconds, _ in rows:
        print("%-10s %12d %10.2e %10.6f %12.1e %12.1f %7.2fx" % (
            name, nbytes, rel, cos, exact, seconds * 1e6, base / seconds))
    print()
    print("'vs own W': max |y - y64| / max |y64| against the float64 forward "
          "pass of the module's own dequantized weights (compiler exactness).")
    # The compiler must compute what the IR says: f32 accumulation over at
    # most 192 terms keeps the error far below 1e-4 of the output scale.
    bad = [r[0] for r in rows if not r[4] < 1e-4]
    if bad:
        fail("compiled output differs from the float64 reference: %s" %
             ", ".join(bad))


if __name__ == "__main__":
    main()
