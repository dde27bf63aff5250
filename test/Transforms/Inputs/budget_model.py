# Inputs and checks for the budget= tests of --dq-quantize.
#
#   budget_model.py make DIR
#       DIR/model.mlir: one function with three float linears a (16x64),
#       b (24x96) and c (8x128) (N x K), weights drawn afresh (the seed is
#       printed); DIR/stats.safetensors: their H = XᵀX/T, at different
#       scales; DIR/weights.npz: the weights as N x K float64
#   budget_model.py check DIR REPORT BUDGET_MLIR UNIFORM_MLIR BPW BITS GROUPS
#                   [WEIGHTS]
#       Checks, independently of the pass's solver and error code:
#       - each layer's candidates are BITS x GROUPS (groups dividing K, -1
#         and those >= K as one per-channel entry), with storage bits from
#         the packing rule (packed rows + f16 scale and offset);
#       - each candidate's cost is its error times the layer's weight in
#         the JSON file WEIGHTS (1 without it);
#       - the chosen configurations are the cheapest within BPW bits per
#         weight, by enumerating every combination of the candidates;
#       - each dq.constant of BUDGET_MLIR has its layer's chosen bits and
#         group, and its error Σ(ŵ-w)ᵀH(ŵ-w), computed here in float64,
#         is the report's error;
#       - UNIFORM_MLIR (the same pass at the uniform bits/group-size) has,
#         per layer, the error the report gives for that candidate.
#       Prints "ok" or FAIL lines and exits 1.
import itertools
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
import dqfiles  # noqa: E402
import dqgen  # noqa: E402

# name -> (N, K, weight scale, activation scale)
LAYERS = {"a": (16, 64, 0.05, 1.0), "b": (24, 96, 0.02, 3.0),
          "c": (8, 128, 0.1, 0.5)}
ROWS = 4


def make(out):
    seed = int.from_bytes(os.urandom(4), "little")
    print("seed", seed)
    rng = np.random.default_rng(seed)
    res = dqgen.Resources()
    args, results, body, stats, weights = [], [], [], {}, {}
    body.append("    %zero = arith.constant 0.0 : f32")
    for i, (name, (n, k, ws, xs)) in enumerate(LAYERS.items()):
        # Heavy-tailed weights, correlated activations.
        w = ws * rng.standard_t(3, size=(n, k))
        w = w.astype(np.float32).astype(np.float64)
        weights[name] = w
        x = xs * rng.standard_normal((8 * k, k)) @ rng.standard_normal((k, k))
        stats[name] = (x.T @ x / len(x), len(x))
        args.append("%%x%d: tensor<%dx%dxf32>" % (i, ROWS, k))
        results.append("tensor<%dx%dxf32>" % (ROWS, n))
        body.append(dqgen.float_constant(res, "w%d" % i, name,
                                         np.ascontiguousarray(w.T),
                                         indent="    "))
        body.append("    %%e%d = tensor.empty() : tensor<%dx%dxf32>"
                    % (i, ROWS, n))
        body.append("    %%f%d = linalg.fill ins(%%zero : f32) outs(%%e%d : "
                    "tensor<%dx%dxf32>) -> tensor<%dx%dxf32>"
                    % (i, i, ROWS, n, ROWS, n))
        body.append("    %%y%d = linalg.matmul ins(%%x%d, %%w%d : "
                    "tensor<%dx%dxf32>, tensor<%dx%dxf32>) outs(%%f%d : "
                    "tensor<%dx%dxf32>) -> tensor<%dx%dxf32>"
                    % (i, i, i, ROWS, k, k, n, i, ROWS, n, ROWS, n))
    text = ["module {", "  func.func @forward(%s) -> (%s) {"
            % (", ".join(args), ", ".join(results))]
    text += body
    text.append("    return %s : %s" % (
        ", ".join("%%y%d" % i for i in range(len(LAYERS))),
        ", ".join(results)))
    text += ["  }", "}", res.text()]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "model.mlir"), "w") as f:
        f.write("\n".join(text))
    dqfiles.write_stats(os.path.join(out, "stats.safetensors"), stats,
                        "budget_model.py")
    np.savez(os.path.join(out, "weights.npz"), **weights)


def storage_bits(n, k, bits, group):
    return n * dqgen.packed_row_bytes(k, bits) * 8 + 2 * n * (k // group) * 16


def layer_errors(path, weights, hessians):
    """Layer name -> (bits, group, Σ(ŵ-w)ᵀH(ŵ-w)) of a module's dq.constants."""
    found, _ = dqgen.read_module(path)
    out = {}
    for c in found.values():
        name = c["resource"][:-len(".q")] if c["resource"].endswith(".q") \
            else c["resource"]
        w_hat = dqgen.dequantize(c["q"], c["s"], c["z"], c["group"])
        r = w_hat - weights[name]
        out[name] = (c["bits"], c["group"],
                     float(np.einsum("nk,kj,nj->", r, hessians[name], r)))
    return out


def check(out, report_path, budget_mlir, uniform_mlir, bpw, bits, groups,
          weights_path=None):
    bpw = float(bpw)
    bits = [int(b) for b in bits.split(",")]
    groups = [int(g) for g in groups.split(",")]
    weights = dict(np.load(os.path.join(out, "weights.npz")))
    stats, _ = dqfiles.read_stats(os.path.join(out, "stats.safetensors"))
    hessians = {n: h for n, (h, _) in stats.items()}
    with open(report_path) as f:
        report = json.load(f)
    fails = []
    layers = {entry["layer"]: entry for entry in report["layers"]}
    if sorted(layers) != sorted(LAYERS):
        fails.append("layers %s, expected %s" % (sorted(layers),
                                                 sorted(LAYERS)))
    total_weights = sum(n * k for n, k, _, _ in LAYERS.values())
    # Candidates and their sizes.
    for name, (n, k, _, _) in LAYERS.items():
        expect = set()
        for b in bits:
            for g in groups:
                g = k if g == -1 or g >= k else g
                if k % g == 0:
                    expect.add((b, g, storage_bits(n, k, b, g)))
        got = {(c["bits"], c["group_size"], c["storage_bits"])
               for c in layers[name]["candidates"]}
        if got != expect or len(layers[name]["candidates"]) != len(expect):
            fails.append("%s: candidates %s, expected %s"
                         % (name, sorted(got), sorted(expect)))
    layer_weight = {name: 1.0 for name in LAYERS}
    if weights_path:
        with open(weights_path) as f:
            layer_weight.update(json.load(f))
    for name in LAYERS:
        for c in layers[name]["candidates"]:
            want = layer_weight[name] * c["error"]
            if abs(c["cost"] - want) > 1e-12 * want:
                fails.append("%s: cost %r is not %r x error %r" % (
                    name, c["cost"], layer_weight[name], c["error"]))
    # The cheapest combination within the budget, by enumeration.
    names = list(LAYERS)
    limit = int(bpw * total_weights)
    best = None
    for combo in itertools.product(*[layers[n]["candidates"] for n in names]):
        size = sum(c["storage_bits"] for c in combo)
        cost = sum(c["cost"] for c in combo)
        if size <= limit and (best is None or cost < best[0]):
            best = (cost, combo)
    chosen_cost = sum(layers[n]["cost"] for n in names)
    chosen_bits = sum(layers[n]["storage_bits"] for n in names)
    if best is None:
        fails.append("no combination fits the budget")
    elif abs(chosen_cost - best[0]) > 1e-12 * best[0]:
        fails.append("chosen cost %.9e, the cheapest is %.9e (%s)" % (
            chosen_cost, best[0],
            [(c["bits"], c["group_size"]) for c in best[1]]))
    if chosen_bits > limit:
        fails.append("chosen %d bits > budget %d" % (chosen_bits, limit))
    if abs(report["bits_per_weight"] - chosen_bits / total_weights) > 1e-12:
        fails.append("bits_per_weight %r" % report["bits_per_weight"])
    # The module holds the choice, and its errors are the report's costs.
    for name, (b, g, err) in layer_errors(budget_mlir, weights,
                                          hessians).items():
        entry = layers[name]
        if (b, g) != (entry["bits"], entry["group_size"]):
            fails.append("%s: module has W%d g%d, report chose W%d g%d"
                         % (name, b, g, entry["bits"], entry["group_size"]))
        if abs(err - entry["error"]) > 1e-7 * err:
            fails.append("%s: error %.9e here, report %.9e"
                         % (name, err, entry["error"]))
    # The other candidates' costs are those of real quantizations too.
    for name, (b, g, err) in layer_errors(uniform_mlir, weights,
                                          hessians).items():
        match = [c for c in layers[name]["candidates"]
                 if (c["bits"], c["group_size"]) == (b, g)]
        if len(match) != 1 or abs(err - match[0]["error"]) > 1e-7 * err:
            fails.append("%s: uniform W%d g%d error %.9e, report %s"
                         % (name, b, g, err,
                            match[0]["error"] if match else "none"))
    configs = sorted({(layers[n]["bits"], layers[n]["group_size"])
                      for n in names})
    for line in fails:
        print("FAIL:", line)
    if fails:
        sys.exit(1)
    print("chosen %s at %.4f bits per weight: ok" % (
        ", ".join("W%d g%d" % c for c in configs),
        chosen_bits / total_weights))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "check":
        check(*sys.argv[2:])
    else:
        sys.exit("unknown command %s" % sys.argv[1])
