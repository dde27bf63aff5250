"""Correctness matrix of --dq-cpu-pipeline's matmul kernels.

usage: kernel_matrix.py WORKDIR DQ_BIN_DIR

One module holds a function per weight configuration, each a dq.matmul of
a random decoupled weight (scripts/dqgen.py, independent of dq's C++) with
a dynamic number of activation rows M:

  bits {2, 3, 4, 8} x groups {32, 64, 128, per-channel}, odd N (partial
  row tiles) and odd per-channel K (padded groups), activations and scales
  cycling through f32, f16 and bf16.

The module is compiled once per variant (route x instruction set x row
block x threading) and every function is run at several M and thread counts
with dq-run. Each output element is compared with the float64 product
x @ (s*Q + z).T within a bound derived from the kernels' arithmetic
(below); threads 1 and 2 must agree bit for bit; the int8 route must differ
from the f32 route (it rounds the activations) while staying in its bound.

Bounds, per element y[m, n] (u = 2^-24, B = 2^(bits-1), gp the group padded
to whole chunks, G groups, Kp = G*gp):

  f32 route: the kernel forms, per group, s * Σ x·u + (z - B s) * Σ x with
  u = Q + B, in f32 FMAs and adds. Every term passes through at most
  Kp + 2G + 16 roundings (in-group chains, partial sums, the scale FMAs,
  the running sum over groups), so
      |err| <= (Kp + 2G + 16) u Σ_k |x_k| (|s| (|Q_k| + 2B) + |z|),
  plus the rounding of the result to the activation type, u_act |y|.
  int8 route: x_k is replaced by a q_k with |a q_k - x_k| <= a/2,
  a = max|x_g| / 127 per group, and Σ q_k Q_k is exact, which adds
      Σ_g |s_g| (a_g / 2) Σ_{k in g} |Q_k|,
  and |x_k| becomes |x_k| + a/2 in the term above.
A 1% margin covers the second-order terms.
"""
import json
import os
import struct
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "..", "scripts"))
import dqgen  # noqa: E402

U32 = 2.0 ** -24
U_ACT = {"f32": 2.0 ** -24, "f16": 2.0 ** -11, "bf16": 2.0 ** -8}
ST_DTYPE = {"f32": "F32", "f16": "F16", "bf16": "BF16"}
CHUNK = {2: 16, 3: 32, 4: 8, 8: 4}
TYPES = ("f32", "f16", "bf16")

# (bits, group or None for per-channel, N, K)
WEIGHTS = []
for bits, pc_k in ((2, 77), (3, 200), (4, 45)):
    for i, group in enumerate((32, 64, 128, None)):
        n = (37, 21, 50, 9)[i]
        WEIGHTS.append((bits, group or pc_k, n, 384 if group else pc_k))
WEIGHTS.append((8, 32, 19, 96))

ROWS = (1, 3, 8, 17, 64)
# name, pipeline options, rows, threads
VARIANTS = [
    ("f32-host", "", ROWS, (1, 2)),
    ("int8-host", "activations=int8", ROWS, (1, 2)),
    ("f32-avx2", "target=avx2", (1, 17), (2,)),
    ("int8-avx2-mb4", "target=avx2 activations=int8 m-block=4", (1, 17), (2,)),
    ("f32-generic-mb1-serial", "target=generic m-block=1 threads=false",
     (3, 17), (1,)),
    ("int8-generic-mb2", "target=generic activations=int8 m-block=2",
     (3, 17), (2,)),
]


def host_has_avx2():
    try:
        flags = open("/proc/cpuinfo").read().split()
    except OSError:
        return False
    return "avx2" in flags and "fma" in flags and "f16c" in flags


def configs():
    for i, (bits, group, n, k) in enumerate(WEIGHTS):
        yield dict(name="mm%d" % i, bits=bits, group=group, n=n, k=k,
                   act=TYPES[i % 3], stype=TYPES[(i + 1) % 3], seed=100 + i)


def write_module(path, cases):
    res = dqgen.Resources()
    lines = ["module {"]
    for c in cases:
        xt = "tensor<?x%dx%s>" % (c["k"], c["act"])
        yt = "tensor<?x%dx%s>" % (c["n"], c["act"])
        wt = dqgen.weight_type(c["n"], c["k"], c["bits"], c["group"],
                               c["stype"])
        lines += [
            "  func.func @%s(%%x: %s) -> %s {" % (c["name"], xt, yt),
            dqgen.dq_constant(res, "w", c["name"], c["q"], c["s"], c["z"],
                              c["bits"], c["group"], c["stype"],
                              indent="    "),
            "    %%y = dq.matmul %%x, %%w : %s, %s -> %s" % (xt, wt, yt),
            "    return %%y : %s" % yt,
            "  }",
        ]
    lines += ["}", res.text()]
    dqgen.write_atomic(path, "\n".join(lines))


def write_tensor(path, x, act):
    data = dqgen.float_bytes(x, act)
    header = json.dumps({"x": {"dtype": ST_DTYPE[act], "shape": list(x.shape),
                               "data_offsets": [0, len(data)]}}).encode()
    header += b" " * (-len(header) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header + data)


def read_tensor(path, act):
    data = open(path, "rb").read()
    (size,) = struct.unpack("<Q", data[:8])
    entry = json.loads(data[8:8 + size])["y"]
    shape = tuple(entry["shape"])
    return dqgen.float_from_bytes(data[8 + size:], act, shape), data[8 + size:]


def bound(c, x, y, int8):
    bits, group, k = c["bits"], c["group"], c["k"]
    groups = k // group
    gp = -(-group // CHUNK[bits]) * CHUNK[bits]
    rounds = groups * gp + 2 * groups + 16
    b = 2 ** (bits - 1)
    s = dqgen.expand_groups(np.abs(c["s"]), group)
    z = dqgen.expand_groups(np.abs(c["z"]), group)
    q = np.abs(c["q"])
    ax = np.abs(x)
    extra = 0.0
    if int8:
        a = ax.reshape(x.shape[0], groups, group).max(axis=2) / 127.0
        half = np.repeat(a / 2, group, axis=1)
        ax = ax + half
        extra = half @ (s * q).T
    absum = ax @ (s * (q + 2 * b) + z).T
    return 1.01 * (rounds * U32 * absum + extra + U_ACT[c["act"]] * np.abs(y))


def main():
    work, bindir = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    cases = list(configs())
    for c in cases:
        rng = np.random.default_rng(c["seed"])
        lo, hi = dqgen.qrange(c["bits"])
        g = c["k"] // c["group"]
        c["q"] = rng.integers(lo, hi + 1, size=(c["n"], c["k"]))
        # Scales of either sign (decoupleQ allows negative ones), offsets
        # of either sign.
        c["s"] = dqgen.round_to(rng.uniform(0.005, 0.05, size=(c["n"], g)) *
                                rng.choice([-1.0, 1.0], size=(c["n"], g)),
                                c["stype"])
        c["z"] = dqgen.round_to(rng.uniform(-0.1, 0.1, size=(c["n"], g)),
                                c["stype"])
        c["w"] = dqgen.dequantize(c["q"], c["s"], c["z"], c["group"])
    module = os.path.join(work, "matrix.mlir")
    write_module(module, cases)

    inputs = {}
    for c in cases:
        rng = np.random.default_rng(c["seed"] + 1000)
        for m in ROWS:
            x = dqgen.round_to(rng.standard_normal((m, c["k"])), c["act"])
            path = os.path.join(work, "%s.m%d.x.safetensors" % (c["name"], m))
            write_tensor(path, x, c["act"])
            inputs[c["name"], m] = (path, x, x @ c["w"].T)

    def run(cmd):
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        if r.returncode:
            sys.exit("kernel_matrix: FAIL: %s\n%s" % (" ".join(cmd), r.stderr))

    checked, failures = 0, []
    outputs = {}
    variants = VARIANTS
    if not host_has_avx2():
        variants = [v for v in VARIANTS if "avx2" not in v[0]]
        print("kernel_matrix: no AVX2 on this host: avx2 variants skipped")
    for variant, options, rows, threads in variants:
        ll = os.path.join(work, variant + ".ll.mlir")
        so = os.path.join(work, variant + ".so")
        run([os.path.join(bindir, "dq-opt"),
             "--dq-cpu-pipeline=%s" % options, module, "-o", ll])
        run([os.path.join(bindir, "dq-compile"), ll, "-o", so])
        int8 = "int8" in variant
        for c in cases:
            for m in rows:
                xpath, x, y = inputs[c["name"], m]
                tol = bound(c, x, y, int8)
                raws = []
                for t in threads:
                    out = os.path.join(work, "%s.%s.m%d.t%d.safetensors" %
                                       (variant, c["name"], m, t))
                    run([os.path.join(bindir, "dq-run"), so, "--function",
                         c["name"], "--input", xpath + ":x", "--threads",
                         str(t), "--output", out + ":y"])
                    got, raw = read_tensor(out, c["act"])
                    raws.append(raw)
                    err = np.abs(got - y)
                    bad = ~(err <= tol)
                    checked += got.size
                    if bad.any():
                        i = np.unravel_index(
                            np.argmax(np.where(bad, err / tol, 0)), y.shape)
                        failures.append(
                            "%s %s (w%d g%d %dx%d %s) M=%d threads=%d: %d "
                            "elements outside the bound; worst %s: got %r, "
                            "want %r, bound %.3g" % (
                                variant, c["name"], c["bits"], c["group"],
                                c["n"], c["k"], c["act"], m, t,
                                int(bad.sum()), i, float(got[i]),
                                float(y[i]), float(tol[i])))
                outputs[variant, c["name"], m] = raws[0]
                if any(r != raws[0] for r in raws[1:]):
                    failures.append("%s %s M=%d: thread counts %s disagree" %
                                    (variant, c["name"], m, threads))
    for c in cases:
        if all(outputs["int8-host", c["name"], m] ==
               outputs["f32-host", c["name"], m] for m in ROWS):
            failures.append("%s: the int8 route gave the f32 route's bits; "
                            "activations=int8 had no effect" % c["name"])
    for f in failures:
        print("kernel_matrix: FAIL: " + f)
    print("kernel_matrix: %d variants, %d weights, %d elements checked, "
          "%d failures" % (len(variants), len(cases), checked, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
