# Inputs and checks for the quantize_model.py tests (numpy only).
#
#   layers.py write W.safetensors S.safetensors name:NxK[:bad] ...
#       float32 weights <name>.weight and statistics <name>.hessian (H of
#       correlated Gaussian rows); bad = nan (a NaN in H), nonpsd (a
#       negative eigenvalue) or shape (H of K+1 columns)
#   layers.py same DIR_A DIR_B
#       every layer file of A has the same bytes in B, and no more files
#   layers.py stacked-equals-alone OUT W.npy H.npy q:64 k:64 v:64 -- DQ_QUANT ARGS
#       rows of the stacked W quantized alone by dq-quant give the same q,
#       scale and offset as the group's files in OUT
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "..", "scripts"))
import dqfiles  # noqa: E402


def write(wpath, spath, specs):
    rng = np.random.default_rng(int.from_bytes(os.urandom(4), "little"))
    weights, stats = {}, {}
    for spec in specs:
        parts = spec.split(":")
        name, (n, k) = parts[0], map(int, parts[1].split("x"))
        bad = parts[2] if len(parts) > 2 else ""
        x = rng.standard_normal((4 * k, k)) @ rng.standard_normal((k, k))
        h = x.T @ x / len(x)
        if bad == "nan":
            h[1, 2] = h[2, 1] = np.nan
        elif bad == "nonpsd":
            h -= 2 * np.linalg.eigvalsh(h).max() * np.eye(k)
        elif bad == "shape":
            h = np.eye(k + 1)
        weights[name + ".weight"] = rng.standard_normal((n, k)).astype(
            np.float32) * 0.05
        stats[name] = (h, len(x))
    dqfiles.write_safetensors(wpath, weights)
    dqfiles.write_stats(spath, stats, "layers.py")


def layer_files(d):
    return sorted(f for f in os.listdir(d) if f.endswith(".safetensors") and
                  not f.startswith("."))


def same(a, b):
    fa, fb = layer_files(a), layer_files(b)
    if fa != fb:
        sys.exit("different layer files: %s vs %s" % (fa, fb))
    for f in fa:
        with open(os.path.join(a, f), "rb") as x, \
                open(os.path.join(b, f), "rb") as y:
            if x.read() != y.read():
                sys.exit("%s differs" % f)
    print("%d layer files, identical bytes" % len(fa))


def stacked_equals_alone(out, w_path, h_path, specs, dq_quant, args):
    w = np.load(w_path)
    row = 0
    for spec in specs:
        name, n = spec.rsplit(":", 1)
        n = int(n)
        tmp = os.path.join(os.path.dirname(w_path), "alone")
        os.makedirs(tmp, exist_ok=True)
        np.save(os.path.join(tmp, "W.npy"), w[row:row + n])
        subprocess.run([dq_quant, "--weight", os.path.join(tmp, "W.npy"),
                        "--hessian", h_path, "--quiet", "-o",
                        os.path.join(tmp, "o.safetensors")] + args,
                       check=True, stdout=subprocess.DEVNULL)
        alone, _ = dqfiles.read_safetensors(os.path.join(tmp,
                                                         "o.safetensors"))
        group, _ = dqfiles.read_safetensors(os.path.join(out,
                                                         name + ".safetensors"))
        for part in ("q", "scale", "offset"):
            if not np.array_equal(alone[part], group[name + "." + part]):
                sys.exit("%s.%s differs" % (name, part))
        row += n
    print("%d layers: stacked = alone" % len(specs))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "write":
        write(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif cmd == "same":
        same(sys.argv[2], sys.argv[3])
    elif cmd == "stacked-equals-alone":
        sep = sys.argv.index("--")
        stacked_equals_alone(sys.argv[2], sys.argv[3], sys.argv[4],
                             sys.argv[5:sep], sys.argv[sep + 1],
                             sys.argv[sep + 2:])
    else:
        sys.exit("unknown command " + cmd)
