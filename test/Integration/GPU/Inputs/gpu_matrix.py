"""Correctness matrix of --dq-cuda-pipeline's matmul kernels.

usage: gpu_matrix.py ptxas WORKDIR DQ_BIN_DIR PTXAS   (no GPU needed)
       gpu_matrix.py run WORKDIR DQ_BIN_DIR           (needs a CUDA device)

One module holds a function per (weight, M): a dq.matmul of a random
decoupled weight (scripts/dqgen.py, independent of dq's C++) with a static
number of activation rows M in {1, 7, 64, 256} (so both routes run: gemv
for M <= 8 and for f32 activations, the tensor-core gemm for f16/bf16 at
M = 64, 256), plus functions with a dynamic M (gemm for f16/bf16):

  bits {2, 3, 4} x groups {64, 128, per-channel} and 8 bits with groups of
  32, odd N, odd per-channel K (groups padded to whole chunks), activations
  and scales cycling through f16, bf16 and f32.

`ptxas` compiles the module for sm_80 and sm_90 and assembles the PTX of
every kernel with ptxas. `run` executes every function with
`dq-run --device cuda` and compares each output element with the float64
product x @ (s*Q + z).T. The host code fills the device output with NaN
before the kernel runs, so an element no thread writes fails the check.

Bounds, per element y[m, n] (u = 2^-24, u_a the unit roundoff of the
activation type, B = 2^(bits-1), Kp the padded K, C the chunks per row):

  gemv: per chunk s * Σ x·u + (z - B s) * Σ x in f32 FMAs, chunk sums per
  lane, five shuffle additions: at most Kp + 2C + 16 roundings per term,
      |err| <= (Kp + 2C + 16) u Σ_k |x_k| (|s| (|Q_k| + 2B) + |z|)
  plus the rounding of the result, u_a |y|.
  gemm: W is dequantized in f32 (two FMAs) and rounded to the activation
  type (u_a |W|, plus half the smallest subnormal at f16), products are
  exact in f32 and accumulate in f32 (Kp + 16 roundings), so
      |err| <= u_a Σ_k |x_k| |W_k| + (Kp + 20) u Σ_k |x_k| (|s| (|Q_k| + 2B) + |z|)
  plus u_a |y| (and 2^-25 Σ|x| at f16).
A 1% margin covers the second-order terms.
"""
import json
import os
import re
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
CHUNK = {2: 64, 3: 32, 4: 32, 8: 16}
TYPES = ("f16", "bf16", "f32")
ROWS = (1, 7, 64, 256)
DYN_ROWS = (1, 7, 64)

# (bits, group or None for per-channel, N, K)
WEIGHTS = []
for bits, pc_k in ((2, 77), (3, 200), (4, 45)):
    for i, group in enumerate((64, 128, None)):
        n = (37, 21, 50)[i]
        WEIGHTS.append((bits, group or pc_k, n, 384 if group else pc_k))
# 8 bits, groups of 32 (two 16-column chunks).
WEIGHTS.append((8, 32, 19, 96))


def configs():
    for i, (bits, group, n, k) in enumerate(WEIGHTS):
        yield dict(name="mm%d" % i, bits=bits, group=group, n=n, k=k,
                   act=TYPES[i % 3], stype=TYPES[(i + 1) % 3], seed=300 + i)


def functions(c):
    """(function name, M or None for dynamic) of one weight."""
    out = [("%s_m%d" % (c["name"], m), m) for m in ROWS]
    if c["act"] != "f32":
        out.append(("%s_dyn" % c["name"], None))
    return out


def write_module(path, cases):
    res = dqgen.Resources()
    lines = ["module {"]
    for c in cases:
        for fname, m in functions(c):
            rows = "?" if m is None else str(m)
            xt = "tensor<%sx%dx%s>" % (rows, c["k"], c["act"])
            yt = "tensor<%sx%dx%s>" % (rows, c["n"], c["act"])
            wt = dqgen.weight_type(c["n"], c["k"], c["bits"], c["group"],
                                   c["stype"])
            lines += [
                "  func.func @%s(%%x: %s) -> %s {" % (fname, xt, yt),
                dqgen.dq_constant(res, "w", fname, c["q"], c["s"], c["z"],
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
    return dqgen.float_from_bytes(data[8 + size:], act, tuple(entry["shape"]))


def extract_ptx(text):
    """The PTX of every gpu.binary object (format=isa) in a lowered module."""
    out = []
    for m in re.finditer(r'assembly = "((?:[^"\\]|\\.)*)"', text):
        out.append(re.sub(r'\\([0-9A-Fa-f]{2}|\\|")',
                          lambda h: h.group(1) if h.group(1) in ('\\', '"')
                          else chr(int(h.group(1), 16)), m.group(1)))
    return out


def bound(c, x, y, gemm):
    bits, group, k = c["bits"], c["group"], c["k"]
    groups = k // group
    gp = -(-group // CHUNK[bits]) * CHUNK[bits]
    kp = groups * gp
    b = 2 ** (bits - 1)
    s = dqgen.expand_groups(np.abs(c["s"]), group)
    z = dqgen.expand_groups(np.abs(c["z"]), group)
    ax = np.abs(x)
    absum = ax @ (s * (np.abs(c["q"]) + 2 * b) + z).T
    out = U_ACT[c["act"]] * np.abs(y)
    if gemm:
        # The weight rounded to the activation type (relative u_a, or half
        # the smallest f16 subnormal), its f32 dequantization (two FMAs)
        # and the f32 accumulation.
        wround = U_ACT[c["act"]] * (ax @ np.abs(c["w"]).T)
        if c["act"] == "f16":
            wround += 2.0 ** -25 * ax.sum(axis=1, keepdims=True)
        return 1.01 * (wround + (kp + 20) * U32 * absum + out)
    rounds = kp + 2 * kp // CHUNK[bits] + 16
    return 1.01 * (rounds * U32 * absum + out)


def make_cases(work):
    os.makedirs(work, exist_ok=True)
    cases = list(configs())
    for c in cases:
        rng = np.random.default_rng(c["seed"])
        lo, hi = dqgen.qrange(c["bits"])
        g = c["k"] // c["group"]
        c["q"] = rng.integers(lo, hi + 1, size=(c["n"], c["k"]))
        c["s"] = dqgen.round_to(rng.uniform(0.005, 0.05, size=(c["n"], g)) *
                                rng.choice([-1.0, 1.0], size=(c["n"], g)),
                                c["stype"])
        c["z"] = dqgen.round_to(rng.uniform(-0.1, 0.1, size=(c["n"], g)),
                                c["stype"])
        c["w"] = dqgen.dequantize(c["q"], c["s"], c["z"], c["group"])
    module = os.path.join(work, "matrix.mlir")
    write_module(module, cases)
    return cases, module


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode:
        sys.exit("gpu_matrix: FAIL: %s\n%s" % (" ".join(cmd), r.stderr))
    return r.stdout


def cmd_ptxas(work, bindir, ptxas):
    cases, module = make_cases(work)
    kernels = 0
    for chip in ("sm_80", "sm_90"):
        ll = os.path.join(work, "%s.ll.mlir" % chip)
        run([os.path.join(bindir, "dq-opt"),
             "--dq-cuda-pipeline=chip=%s format=isa" % chip, module, "-o", ll])
        ptxs = extract_ptx(open(ll).read())
        if len(ptxs) != 1:
            sys.exit("gpu_matrix: FAIL: expected one PTX object, got %d" %
                     len(ptxs))
        ptx = os.path.join(work, "%s.ptx" % chip)
        open(ptx, "w").write(ptxs[0])
        entries = re.findall(r"\.entry (\w+)", ptxs[0])
        run([ptxas, "-arch=%s" % chip, ptx, "-o", ptx + ".cubin"])
        routes = sorted({e.split("_")[0] for e in entries})
        bits = sorted({int(b) for b in re.findall(r"_w(\d)g", " ".join(entries))})
        print("gpu_matrix: ptxas %s: %d kernels assembled, routes %s, bits %s" %
              (chip, len(entries), " ".join(routes),
               " ".join(map(str, bits))))
        kernels += len(entries)
    return 0


def cmd_run(work, bindir):
    cases, module = make_cases(work)
    ll = os.path.join(work, "matrix.ll.mlir")
    run([os.path.join(bindir, "dq-opt"), "--dq-cuda-pipeline", module,
         "-o", ll])
    checked, failures = 0, []
    for c in cases:
        for fname, fm in functions(c):
            gemm = c["act"] != "f32" and (fm is None or fm > 8)
            for m in ([fm] if fm is not None else DYN_ROWS):
                rng = np.random.default_rng(c["seed"] * 1000 + m)
                x = dqgen.round_to(rng.standard_normal((m, c["k"])), c["act"])
                y = x @ c["w"].T
                xpath = os.path.join(work, "%s.m%d.x.safetensors" % (fname, m))
                out = os.path.join(work, "%s.m%d.y.safetensors" % (fname, m))
                write_tensor(xpath, x, c["act"])
                run([os.path.join(bindir, "dq-run"), ll, "--device", "cuda",
                     "--function", fname, "--input", xpath + ":x",
                     "--output", out + ":y"])
                got = read_tensor(out, c["act"])
                tol = bound(c, x, y, gemm)
                err = np.abs(got - y)
                bad = ~(np.isfinite(got) & (err <= tol))
                checked += got.size
                if bad.any():
                    i = np.unravel_index(
                        np.argmax(np.where(bad, np.nan_to_num(err / tol,
                                                              nan=1e30), 0)),
                        y.shape)
                    failures.append(
                        "%s (w%d g%d %dx%d %s, %s) M=%d: %d elements wrong "
                        "(%d not finite); worst %s: got %r, want %r, bound "
                        "%.3g" % (fname, c["bits"], c["group"], c["n"],
                                  c["k"], c["act"],
                                  "gemm" if gemm else "gemv", m,
                                  int(bad.sum()),
                                  int((~np.isfinite(got)).sum()), i,
                                  float(got[i]), float(y[i]), float(tol[i])))
    for f in failures:
        print("gpu_matrix: FAIL: " + f)
    print("gpu_matrix: %d weights, %d elements checked, %d failures" %
          (len(cases), checked, len(failures)))
    return 1 if failures else 0


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "ptxas":
        return cmd_ptxas(sys.argv[2], sys.argv[3], sys.argv[4])
    if len(sys.argv) == 4 and sys.argv[1] == "run":
        return cmd_run(sys.argv[2], sys.argv[3])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
