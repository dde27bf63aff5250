#!/usr/bin/env python3
r"""Compares dq-quant's decoupleQ with the public reference implementation
(ByteDance's decoupleQ, PyTorch) layer by layer, on one common measure.

The reference is NOT part of this repository and nothing here contains its
code: fetch it yourself (https://github.com/bytedance/decoupleQ) and pass the
folder that contains its `decoupleQ` Python package with `--reference`; it is
imported at run time and run on the CPU (float32, as it runs on a GPU).

  compare_reference.py --reference PATH [--dq build/bin/dq-quant]
      --bits 2 --group-size 64 [--iters 4] [--threads 2]
      [--variant NAME=key=value,key=value ...] [--best NAME]
      [--ref-cache DIR] [--json OUT.json] LAYER_DIR [LAYER_DIR ...]

Each LAYER_DIR holds W.npy [N, K] and H.npy [K, K] (undamped H = XᵀX/T).

The reference is driven as its llama.py drives a layer with the settings of
its run_llama.sh: asymmetric (sym = not asym, asym is its default), act-order,
`--round-fn gptq`, `--max-iter-num ITERS` (dq's `iters` counts the same
loop: the GPTQ start plus ITERS-1 alternations), percdamp 0.01, clip grid 200
with max shrink 0.8 and iters_for_scale 4 (its Quantizer defaults). With
round-fn gptq its Adam options (iters-before-round, inner-iters-for-round,
lr) are unused.

Common measure, computed here in float64 from each tool's (Q, s, z):
    e = Σ_rows (ŵ - w)ᵀ H (ŵ - w) / Σ_rows wᵀ H w,  undamped H.
dq's ŵ uses its stored (f16 by default) s and z. The reference's ŵ is
reported twice: with its float32 s and z as returned (`ref`, the primary
column: the stricter bar for dq, whose s and z are rounded) and with s and z
rounded to f16 as dq stores them (`ref_f16`).

Variants are extra dq runs with `--method-option` settings, e.g.
`--variant plain=cd-sweeps=0` (the alternation alone, no refinement: the
reference's loop) or `--variant best=cd-sweeps=8,refine-iters=8,damp=0.02`;
`--best` names the one shown as "best settings" (default: the last variant).
With `--ref-cache DIR` the reference runs once per (layer, bits, group,
iters) and later runs reuse its (Q, s, z).

Example (docs/quantization.md, "Against the reference"):
  git clone https://github.com/bytedance/decoupleQ /tmp/refdq
  bench/quant/compare_reference.py --reference /tmp/refdq --bits 2 \
      --group-size 64 --variant plain=cd-sweeps=0 \
      --json out.json /tmp/dq-bench-quant/minilm/L0.q
"""
import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    types = {"I8": np.int8, "F16": np.float16, "BF16": None, "F32": np.float32,
             "F64": np.float64}
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        b, e = t["data_offsets"]
        raw = data[b:e]
        if t["dtype"] == "BF16":
            u = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
            arr = u.view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=types[t["dtype"]])
        out[name] = arr.reshape(t["shape"]).astype(np.float64)
    return out


def dequant(q, s, z, group):
    q = np.asarray(q, dtype=np.float64)
    g = q.shape[1] if group in (-1, q.shape[1]) else group
    s = np.repeat(np.asarray(s, dtype=np.float64), g, axis=1)
    z = np.repeat(np.asarray(z, dtype=np.float64), g, axis=1)
    return q * s + z


def norm_error(w_hat, w, h):
    r = w_hat - w
    return float(np.sum((r @ h) * r) / np.sum((w @ h) * w))


def run_reference(ref_path, w, h, bits, group, iters):
    if ref_path not in sys.path:
        sys.path.insert(0, ref_path)
    import torch
    from decoupleQ.moq_quant import Quantizer
    from decoupleQ.quant import decoupleQ

    n, k = w.shape
    layer = torch.nn.Linear(k, n, bias=False)
    layer.weight.data = torch.from_numpy(w.astype(np.float32))
    moq = decoupleQ(layer, name="layer")
    moq.H = torch.from_numpy(h.astype(np.float64))
    moq.nsamples = 1
    moq.quantizer = Quantizer()
    moq.quantizer.configure(bits, perchannel=True, sym=False)
    t0 = time.time()
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        s, z, q, _ = moq.startquant(
            dev="cpu", groupsize=group, symmetric=False, max_iter_num=iters,
            inner_iters_for_round=5, iters_before_round=200, lr=1e-3,
            actorder=True, round_fn="gptq")
    secs = time.time() - t0
    return (q.numpy().astype(np.float64), s.numpy().astype(np.float64),
            z.numpy().astype(np.float64), secs)


def run_dq(dq, layer, bits, group, iters, threads, options):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.safetensors")
        cmd = [dq, "--weight", os.path.join(layer, "W.npy"), "--hessian",
               os.path.join(layer, "H.npy"), "--method", "decoupleq",
               "--bits", str(bits), "--group-size", str(group), "--iters",
               str(iters), "--threads", str(threads), "--quiet", "-o", out]
        for o in options:
            cmd += ["--method-option", o]
        p = subprocess.run(cmd, check=True, capture_output=True, text=True)
        info = json.loads(p.stdout.strip().splitlines()[-1])
        t = read_safetensors(out)
        return t["q"], t["scale"], t["offset"], info


def parse_variant(text):
    name, _, opts = text.partition("=")
    if not name or not opts:
        raise SystemExit("--variant wants NAME=key=value[,key=value]: %r" %
                         text)
    return name, [o for o in opts.split(",") if o]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("layers", nargs="+")
    ap.add_argument("--reference", required=True,
                    help="folder holding the reference's decoupleQ package")
    ap.add_argument("--dq", default="build/bin/dq-quant")
    ap.add_argument("--bits", type=int, default=2)
    ap.add_argument("--group-size", type=int, default=64)
    ap.add_argument("--iters", type=int, default=4,
                    help="dq iters = the reference's max-iter-num")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variant", action="append", default=[])
    ap.add_argument("--best", default=None)
    ap.add_argument("--ref-cache", default=None,
                    help="folder caching the reference's (Q, s, z) per layer")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()

    import torch
    torch.set_num_threads(a.threads)
    variants = [parse_variant(v) for v in a.variant]
    best = a.best or (variants[-1][0] if variants else None)
    if best is not None and best not in [v[0] for v in variants]:
        raise SystemExit("--best %s is not a variant" % best)

    rows = []
    for layer in a.layers:
        name = os.path.basename(os.path.normpath(layer))
        w = np.load(os.path.join(layer, "W.npy")).astype(np.float64)
        h = np.load(os.path.join(layer, "H.npy")).astype(np.float64)
        h = 0.5 * (h + h.T)
        cache = None
        if a.ref_cache:
            os.makedirs(a.ref_cache, exist_ok=True)
            cache = os.path.join(a.ref_cache, "%s-w%d-g%d-it%d.npz" % (
                name, a.bits, a.group_size, a.iters))
        if cache and os.path.exists(cache):
            c = np.load(cache)
            rq, rs, rz, rsec = c["q"], c["s"], c["z"], float(c["seconds"])
        else:
            rq, rs, rz, rsec = run_reference(a.reference, w, h, a.bits,
                                             a.group_size, a.iters)
            if cache:
                np.savez(cache, q=rq, s=rs, z=rz, seconds=rsec)
        row = {"layer": name, "shape": list(w.shape),
               "ref": norm_error(dequant(rq, rs, rz, a.group_size), w, h),
               "ref_f16": norm_error(dequant(
                   rq, rs.astype(np.float16), rz.astype(np.float16),
                   a.group_size), w, h),
               "ref_seconds": rsec, "dq": {}}
        for vname, opts in [("default", [])] + variants:
            q, s, z, info = run_dq(a.dq, layer, a.bits, a.group_size,
                                   a.iters, a.threads, opts)
            e = norm_error(dequant(q, s, z, a.group_size), w, h)
            row["dq"][vname] = {"options": opts, "error": e,
                                "ratio": e / row["ref"],
                                "ratio_f16": e / row["ref_f16"],
                                "dq_reported": info["normalized_error"],
                                "seconds": info["seconds"],
                                "iters_run": info.get("iters_run")}
        rows.append(row)
        d = row["dq"]["default"]
        line = "%-14s ref %.6g (f16 %.6g, %.1fs)  dq %.6g x%.4f" % (
            name, row["ref"], row["ref_f16"], rsec, d["error"], d["ratio"])
        for vname, _ in variants:
            line += "  %s x%.4f" % (vname, row["dq"][vname]["ratio"])
        print(line, file=sys.stderr, flush=True)

    names = ["default"] + [v[0] for v in variants]
    summary = {}
    for v in names:
        r = [row["dq"][v]["ratio"] for row in rows]
        r16 = [row["dq"][v]["ratio_f16"] for row in rows]
        summary[v] = {"median_ratio": statistics.median(r),
                      "mean_ratio": statistics.fmean(r), "max_ratio": max(r),
                      "max_ratio_f16": max(r16),
                      "layers_worse": sum(x > 1.0 for x in r),
                      "mean_error": statistics.fmean(
                          row["dq"][v]["error"] for row in rows),
                      "options": dict(variants).get(v, [])}

    cols = ["default"] + ([best] if best else [])
    print("bits %d, group %d, iters %d" % (a.bits, a.group_size, a.iters))
    hdr = "| layer | shape | reference | ref (f16 s,z) | dq default | ratio |"
    if best:
        hdr += " dq %s | ratio |" % best
    print(hdr)
    print("|" + "---|" * (hdr.count("|") - 1))
    for row in rows:
        line = "| %s | %dx%d | %.5g | %.5g |" % (
            row["layer"], row["shape"][0], row["shape"][1], row["ref"],
            row["ref_f16"])
        for v in cols:
            line += " %.5g | %.4f |" % (row["dq"][v]["error"],
                                        row["dq"][v]["ratio"])
        print(line)
    print()
    print("| dq settings | median ratio | mean ratio | max ratio | "
          "max ratio vs f16 ref | layers > 1 |")
    print("|---|---|---|---|---|---|")
    for v in names:
        s = summary[v]
        print("| %s %s | %.4f | %.4f | %.4f | %.4f | %d/%d |" % (
            v, ",".join(s["options"]), s["median_ratio"], s["mean_ratio"],
            s["max_ratio"], s["max_ratio_f16"], s["layers_worse"], len(rows)))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"bits": a.bits, "group_size": a.group_size,
                       "iters": a.iters, "threads": a.threads,
                       "reference_settings": {
                           "sym": False, "act_order": True,
                           "round_fn": "gptq", "max_iter_num": a.iters,
                           "percdamp": 0.01, "grid": 200, "maxshrink": 0.8,
                           "iters_for_scale": 4},
                       "best": best, "layers": rows, "summary": summary},
                      f, indent=1)


if __name__ == "__main__":
    main()
