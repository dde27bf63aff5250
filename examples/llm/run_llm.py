#!/usr/bin/env python3
"""SmolLM2-135M end to end with dq: export, calibrate, quantize, compile,
run; prints perplexity, speed and a generated continuation per
configuration, against PyTorch fp32 and llama.cpp.

    run_llm.py [--work DIR] [--configs w2g64,w4g64]
               [--methods rtn,gptq,decoupleq[,decoupleq-bw,decoupleq-mixed,
                          decoupleq-bw-mixed]]
               [--calib-windows 4] [--eval-windows 2] [--no-speed]
               [--no-llamacpp] [--json OUT]

Steps (each one's output is kept in --work and reused by a later run with
the same settings, so an interrupted run resumes where it stopped):

  1. export: score (windows of 2048 tokens), prefill (512 tokens) and
     decode (KV cache of 640) through torch-mlir (export_llm.py), kept as
     MLIR bytecode;
  2. per configuration and method: sequential calibration and quantization
     on the calibration text (quantize_llm.py; decoupleq-bw adds the
     block-wise minimization of scales, offsets and norms; the -mixed
     methods first let `--dq-quantize budget=` choose every layer's bits
     and group size at the uniform configuration's bytes, from the float
     model's statistics), then
     --dq-quantize imports
     the checkpoint, --dq-cpu-pipeline compiles score and decode, and
     dq-compile makes shared objects of them (loaded without a JIT);
  3. perplexity of every compiled score, PyTorch fp32 and llama.cpp
     (bench/llm/llamacpp_peer.py) on the same evaluation windows;
  4. speed: prefill tokens/s (512) and decode tokens/s (128 new tokens
     after 128) at --speed-threads (2; the docs' table adds 1), dq fp32
     and decoupleQ's configurations, PyTorch fp32 and llama.cpp;
  5. one greedy continuation of the same prompt per configuration.

The small defaults (4 calibration windows, 2 evaluation windows) are the
README's main job (scripts/run-example.sh runs this script); docs/llm.md's
tables use --calib-windows 16 --eval-windows 10.
"""

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "runtime", "python"))

CONFIGS = {"w2g64": (2, 64), "w3g64": (3, 64), "w4g64": (4, 64),
           "w2g32": (2, 32)}
# quantize_llm.py's arguments per method; decoupleq-bw adds decoupleQ's
# second stage (block-wise minimization of scales, offsets and norms).
METHODS = {"rtn": ["--method", "rtn"], "gptq": ["--method", "gptq"],
           "decoupleq": ["--method", "decoupleq"],
           # lr and target: the best of docs/llm.md's ablation (the
           # reference's lr 1e-5 takes 512 steps; 16 windows give 64).
           "decoupleq-bw": ["--method", "decoupleq", "--blockwise",
                            "--blockwise-lr", "1e-3",
                            "--blockwise-target", "model"]}
# Mixed precision: the same quantization with per-layer bits and group
# sizes that `--dq-quantize budget=` chose at the bytes of the uniform
# configuration, from the float model's statistics, each layer's output
# error weighted by its loss sensitivity (docs/llm.md: the unweighted
# output error, and per-channel candidates, chose worse than uniform).
MIXED = {"decoupleq-mixed": "decoupleq", "decoupleq-bw-mixed": "decoupleq-bw"}
METHODS.update({m: METHODS[base] for m, base in MIXED.items()})
BUDGET_BITS, BUDGET_GROUPS = "2,3,4", "32,64,128"
DEFAULT_METHODS = ("rtn", "gptq", "decoupleq", "decoupleq-bw")
SEQ, PREFILL, MAX_LEN = 2048, 512, 640
PROMPT = "The history of the city of Paris"
STARTED = time.time()


def log(msg):
    print("[%5.0f s] %s" % (time.time() - STARTED, msg), file=sys.stderr,
          flush=True)


class JobError(Exception):
    pass


def run(cmd, what, env=None, quiet=True):
    r = subprocess.run(cmd, capture_output=quiet, text=True, env=env)
    if r.returncode:
        raise JobError("%s failed (exit %d)%s" % (
            what, r.returncode, ":\n" + r.stderr[-3000:] if quiet else ""))
    return r


class Work:
    """Paths in the work folder and the dq tools of the build."""

    def __init__(self, root, build):
        self.root = root
        self.bin = os.path.join(build, "bin")
        os.makedirs(root, exist_ok=True)
        for tool in ("dq-opt", "dq-quant", "dq-compile"):
            if not os.access(self.tool(tool), os.X_OK):
                raise JobError("%s is not built: run scripts/setup.sh"
                               % self.tool(tool))

    def tool(self, name):
        return os.path.join(self.bin, name)

    def path(self, *parts):
        return os.path.join(self.root, *parts)


def stamp_of(texts, files=()):
    import hashlib
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode())
    for name in files:
        with open(os.path.join(HERE, name), "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()[:16]


def drop_stale(w, stamp_name, stamp, paths, what):
    """Removes `paths` (cached files made under another `stamp`) and
    records the new stamp in fp32/`stamp_name`."""
    stamp_path = w.path("fp32", stamp_name)
    old = open(stamp_path).read().strip() if os.path.exists(
        stamp_path) else None
    if old == stamp:
        return
    stale = sorted(set(p for p in paths if os.path.exists(p)))
    if stale:
        log("%s changed since the cached files were made (stamp %s, now "
            "%s); making %d of them again" % (what, old or "none", stamp,
                                              len(stale)))
    for path in stale:
        os.unlink(path)
    os.makedirs(w.path("fp32"), exist_ok=True)
    import dqfiles
    dqfiles.write_atomic(stamp_path, (stamp + "\n").encode())


def drop_stale_exports(w):
    """Removes cached exports and compiled modules made from another
    version of the model code, another build of the compiler or another
    lm_head recipe (perplexity results
    of float modules stay: the function is the same, only its formulation
    may change; those of quantized ones are named after the recipe)."""
    folders = [f for f in os.listdir(w.root)
               if os.path.isdir(w.path(f))] if os.path.isdir(w.root) else []
    modules = lambda names: [w.path(f, m) for f in names  # noqa: E731
                             for m in ("score.so", "prefill.so", "decode.so",
                                       "score-int8.so", "prefill-int8.so",
                                       "decode-int8.so")]
    fp32 = [w.path("fp32", f + ".mlirbc")
            for f in ("score", "prefill", "decode")]
    drop_stale(w, "export-stamp",
               stamp_of([], ("llama_model.py", "export_llm.py")),
               fp32 + modules(folders), "the model code")
    # The compiler itself: a module compiled by another dq-opt may lack a
    # fix or an optimization (the buffer pool's allocation calls, say).
    import hashlib
    compiler = []
    for tool in ("dq-opt", "dq-compile"):
        with open(w.tool(tool), "rb") as f:
            compiler.append(hashlib.sha256(f.read()).hexdigest())
    drop_stale(w, "compile-stamp", stamp_of([LM_HEAD_QUANTIZE] + compiler),
               modules(folders), "dq-opt, dq-compile or the lm_head's "
               "quantization")


def export(w):
    """Float exports as bytecode: {function: path}; only the missing ones
    are exported."""
    drop_stale_exports(w)
    out = {f: w.path("fp32", f + ".mlirbc")
           for f in ("score", "prefill", "decode")}
    missing = [f for f, p in out.items() if not os.path.exists(p)]
    if not missing:
        return out
    log("export: %s through torch-mlir (score[1, %d], prefill[1, %d], "
        "decode with a cache of %d; about a minute each)"
        % (", ".join(missing), SEQ, PREFILL, MAX_LEN))
    text_dir = w.path("fp32", "text")
    run([sys.executable, os.path.join(HERE, "export_llm.py"), "--model",
         "smollm2", "--seq", str(SEQ), "--prefill", str(PREFILL),
         "--max-len", str(MAX_LEN), "--only", ",".join(missing),
         "-o", text_dir], "export_llm.py", quiet=False)
    for f in missing:
        src = os.path.join(text_dir, f + ".mlir")
        run([w.tool("dq-opt"), src, "--emit-bytecode", "-o",
             out[f] + ".tmp"], "dq-opt (bytecode of %s)" % f)
        os.replace(out[f] + ".tmp", out[f])
        os.unlink(src)
    os.replace(os.path.join(text_dir, "config.json"), w.path("config.json"))
    return out


# The tied lm_head of the quantized configurations: 8-bit round to nearest
# in groups of 64 (llama.cpp keeps it at Q8_0 in its Q2_K and Q4_K_M files).
# In float it was a third of a decode step's time (113 MB read per token).
# The embedding's lookup keeps reading the float table (one row a token).
LM_HEAD_QUANTIZE = ("--dq-quantize=method=rtn bits=8 group-size=64 "
                    "layers=*embed_tokens* quiet=true")
LM_HEAD_TAG = "lmw8g64"


def lm_head_bytes(cfg):
    """Bytes of the 8-bit lm_head: Q, and an f16 scale and offset per 64."""
    vocab, hidden = cfg["vocab"], cfg["hidden"]
    return vocab * hidden + vocab * (hidden // 64) * 4


# The kernels' activation route in quantized modules (--activations): int8
# (activations quantized per group to 8 bits, VNNI dot products; what
# llama.cpp's K-quant dot products do too) or f32 (exact). int8 is the
# default by measurement (docs/cpu-kernels.md, "Defaults"): on SmolLM2 it
# made prefill 1.4x faster at two threads for +0.9% (W4) to +1.5% (W2) of
# perplexity.
ACTIVATIONS = "int8"


def module_file(function, quantized):
    """The compiled module's file name in its configuration's folder."""
    route = "-int8" if quantized and ACTIVATIONS == "int8" else ""
    return function + route + ".so"


def compile_module(w, src, out, weights=None):
    """dq-opt [--dq-quantize=weights=...] --dq-cpu-pipeline, then dq-compile
    to a shared object `out` (.so), cached. Loading a shared object is
    instant, while every JIT load of a module would run LLVM on it again
    (half a minute for SmolLM2), and the speed runs load each module once
    per thread count."""
    if os.path.exists(out):
        return out
    ll = out[:-len(".so")] + ".ll.mlirbc"
    cmd = [w.tool("dq-opt"), src]
    if weights:
        cmd.append("--dq-quantize=weights=%s skip=*embed_tokens* quiet=true"
                   % weights)
        cmd.append(LM_HEAD_QUANTIZE)
    pipeline = "--dq-cpu-pipeline"
    if weights and ACTIVATIONS == "int8":
        pipeline += "=activations=int8"
    cmd += [pipeline, "--emit-bytecode", "-o", ll]
    t0 = time.time()
    run(cmd, "dq-opt on %s" % os.path.basename(src))
    run([w.tool("dq-compile"), ll, "-o", out + ".tmp"],
        "dq-compile on %s" % os.path.relpath(ll, w.root))
    os.unlink(ll)
    os.replace(out + ".tmp", out)
    log("  compiled %s (%.0f s)" % (os.path.relpath(out, w.root),
                                    time.time() - t0))
    return out


def bits_per_weight(bits, group):
    """Of a uniform configuration: Q plus an f16 scale and offset per group."""
    return bits + 32.0 / group


def budget_choice(w, a, name, fp32, bits, group, calib_windows):
    """The per-layer configurations of `name` (a budget report), chosen by
    --dq-quantize budget= at the bytes of uniform W`bits` g`group` from the
    float model's statistics; the errors measured for one budget are kept
    and reused for the others."""
    report = w.path(name, "budget.json")
    if os.path.exists(report):
        return report
    stats = w.path("mixed", "float-stats-calib%d.safetensors" % calib_windows)
    costs = w.path("mixed", "costs-calib%d.json" % calib_windows)
    os.makedirs(w.path("mixed"), exist_ok=True)
    if not os.path.exists(stats):
        log("mixed precision: float statistics on %d windows"
            % calib_windows)
        run([sys.executable, os.path.join(HERE, "quantize_llm.py"),
             "--calib-windows", str(calib_windows), "--threads",
             str(a.threads), "--float-stats", stats],
            "quantize_llm.py --float-stats", quiet=False)
    sensitivity = w.path("mixed", "sensitivity-calib%d.json" % calib_windows)
    if not os.path.exists(sensitivity):
        log("mixed precision: loss sensitivity of every linear on %d "
            "windows" % calib_windows)
        run([sys.executable, os.path.join(HERE, "quantize_llm.py"),
             "--calib-windows", str(calib_windows), "--threads",
             str(a.threads), "--sensitivity", sensitivity],
            "quantize_llm.py --sensitivity", quiet=False)
    budget = bits_per_weight(bits, group)
    log("mixed precision: choosing W%s x g%s per layer at %.4g bits per "
        "weight%s" % (BUDGET_BITS, a.budget_group_sizes, budget,
                      " (errors from %s)" % os.path.relpath(costs, w.root)
                      if os.path.exists(costs) else
                      " (measuring every candidate: minutes)"))
    # bits= and group-size=: the uniform configuration the table sets the
    # choice against.
    options = ("stats=%s bits=%d group-size=%d budget=%r budget-bits=%s "
               "budget-group-sizes=%s "
               "budget-report=%s budget-weights=%s skip=*embed_tokens* "
               "threads=%d" % (stats, bits, group, budget, BUDGET_BITS,
                               a.budget_group_sizes, report, sensitivity,
                               a.threads))
    if os.path.exists(costs):
        options += " budget-costs=%s" % costs
    t0 = time.time()
    # Its progress, the table of the choice and the final quantization's
    # lines go to stderr as they come.
    run([w.tool("dq-opt"), fp32["score"], "--dq-quantize=" + options,
         "-o", os.devnull], "dq-opt --dq-quantize budget=", quiet=False)
    if not os.path.exists(costs):
        shutil.copyfile(report, costs + ".tmp")
        os.replace(costs + ".tmp", costs)
    log("mixed precision: chosen in %.0f s" % (time.time() - t0))
    return report


def quantize(w, a, name, method, bits, group, calib_windows, fp32):
    """The dq-quantized-model checkpoint of one configuration, cached."""
    out = w.path(name, "weights.safetensors")
    if os.path.exists(out):
        return out
    os.makedirs(w.path(name), exist_ok=True)
    extra = []
    if method in MIXED:
        extra = ["--layer-config", budget_choice(w, a, name, fp32, bits,
                                                 group, calib_windows)]
    log("quantize %s: sequential calibration on %d windows of %d tokens"
        % (name, calib_windows, SEQ))
    run([sys.executable, os.path.join(HERE, "quantize_llm.py"),
         *METHODS[method], "--bits", str(bits), "--group-size", str(group),
         "--calib-windows", str(calib_windows), "--threads",
         str(a.threads), "--dq-quant", w.tool("dq-quant"),
         "--report", w.path(name, "layers.json"), *extra, "-o", out],
        "quantize_llm.py (%s)" % name, quiet=False)
    return out


def perplexity(score, windows):
    import numpy as np
    total = 0.0
    for ids in windows:
        (lp,) = score(np.array([ids], np.int64))
        total += float(lp.astype(np.float64).sum())
    return math.exp(-total / (len(windows) * (len(windows[0]) - 1)))


def torch_perplexity(model, windows):
    import torch
    total = 0.0
    with torch.no_grad():
        for ids in windows:
            total += float(model.score(torch.tensor([ids])).double().sum())
    return math.exp(-total / (len(windows) * (len(windows[0]) - 1)))


def greedy(decode, tokenizer, new_tokens):
    """Greedy continuation of PROMPT through decode alone."""
    import numpy as np
    k = np.zeros(decode.arg_types[2].shape, np.float32)
    v = np.zeros(decode.arg_types[3].shape, np.float32)
    ids = tokenizer(PROMPT).input_ids
    out = []
    for pos in range(len(ids) + new_tokens - 1):
        token = ids[pos] if pos < len(ids) else out[-1]
        logits, _, _ = decode(np.array([[token]], np.int64),
                              np.array([pos], np.int64), k, v)
        if pos >= len(ids) - 1:
            out.append(int(np.argmax(logits[0])))
    return tokenizer.decode(out)


def time_dq(prefill, decode, rounds):
    """(prefill tokens/s, decode tokens/s) samples, interleaved."""
    import numpy as np
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 49152, (1, PREFILL), dtype=np.int64)
    k = np.zeros(decode.arg_types[2].shape, np.float32)
    v = np.zeros(decode.arg_types[3].shape, np.float32)
    pre, dec = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        prefill(ids, k, v)
        pre.append(PREFILL / (time.perf_counter() - t0))
        t0 = time.perf_counter()
        for pos in range(128, 256):
            decode(ids[:, pos:pos + 1], np.array([pos], np.int64), k, v)
        dec.append(128 / (time.perf_counter() - t0))
    return pre, dec


def time_torch(model, rounds):
    import torch
    ids = torch.randint(0, 49152, (1, PREFILL))
    k, v = model.empty_cache(MAX_LEN)
    pre, dec = [], []
    with torch.no_grad():
        for _ in range(rounds):
            t0 = time.perf_counter()
            model.prefill(ids, k, v)
            pre.append(PREFILL / (time.perf_counter() - t0))
            t0 = time.perf_counter()
            for pos in range(128, 256):
                model.decode(ids[:, pos:pos + 1], torch.tensor([pos]), k, v)
            dec.append(128 / (time.perf_counter() - t0))
    return pre, dec


def summary(samples):
    return {"median": statistics.median(samples), "min": min(samples),
            "max": max(samples)}


def linear_bytes(path):
    """(bytes, weights) of a checkpoint's linears as a compiled module
    stores them: packed Q plus the scale and offset."""
    import dqfiles
    tensors, meta = dqfiles.read_safetensors(path)
    total = count = 0
    for key, t in tensors.items():
        layer, part = key.rsplit(".", 1)
        if part == "value":
            continue  # A float parameter (trained norm) replacing its own.
        if part == "q":
            bits = int(meta[layer + ".bits"])
            total += t.shape[0] * ((t.shape[1] * bits + 7) // 8)
            count += t.size
        else:
            total += t.nbytes
    return total, count


def llamacpp(a, windows_count):
    """llama.cpp's rows ({name: {...}}), or {} with a message."""
    script = os.path.join(ROOT, "bench", "llm", "llamacpp_peer.py")
    if a.no_llamacpp or not os.path.exists(script):
        return {}
    out = os.path.join(a.work, "llamacpp-%dx%d.json" % (windows_count, SEQ))
    try:
        if not os.path.exists(out):
            run([sys.executable, script, "convert"], "llamacpp_peer convert",
                quiet=False)
            run([sys.executable, script, "ppl", "--windows",
                 str(windows_count), "--json", out + ".tmp"],
                "llamacpp_peer ppl", quiet=False)
            os.replace(out + ".tmp", out)
        with open(out) as f:
            return json.load(f)
    except JobError as e:
        log("llama.cpp: skipped (%s)" % str(e).splitlines()[0])
        return {}


def main():
    global ACTIVATIONS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", default=os.path.join(
        os.path.expanduser("~"), ".cache", "dq", "llm-run"))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--configs", default="w2g64,w4g64")
    ap.add_argument("--methods", default=",".join(DEFAULT_METHODS),
                    help="comma-separated, of %s" % ", ".join(METHODS))
    ap.add_argument("--calib-windows", type=int, default=4)
    ap.add_argument("--eval-windows", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3,
                    help="speed rounds (median, min-max)")
    ap.add_argument("--new-tokens", type=int, default=24)
    ap.add_argument("--speed-threads", default="2",
                    help="thread counts of the speed runs, comma-separated "
                         "(docs/llm.md's table: 1,2)")
    ap.add_argument("--budget-group-sizes", default=BUDGET_GROUPS,
                    help="the -mixed methods' candidate group sizes "
                         "(default %(default)s; W4 g32 is lossless on this "
                         "model, which came from a Q4_1 file)")
    ap.add_argument("--activations", choices=("f32", "int8"),
                    default=ACTIVATIONS,
                    help="the quantized modules' kernel route: f32 (exact) "
                         "or int8 (activations quantized per group; "
                         "docs/cpu-kernels.md)")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--no-llamacpp", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args()
    ACTIVATIONS = a.activations
    try:
        a.speed_threads = [int(t) for t in a.speed_threads.split(",") if t]
    except ValueError:
        ap.error("--speed-threads takes thread counts, e.g. 1,2")
    if not a.speed_threads or min(a.speed_threads) < 1:
        ap.error("--speed-threads takes positive thread counts, e.g. 1,2")
    configs = [c for c in a.configs.split(",") if c]
    methods = [m for m in a.methods.split(",") if m]
    for c in configs:
        if c not in CONFIGS:
            ap.error("unknown configuration %r (known: %s)"
                     % (c, ", ".join(CONFIGS)))
    for m in methods:
        if m not in METHODS:
            ap.error("unknown method %r (known: %s)" % (m, ", ".join(METHODS)))

    import numpy as np  # noqa: F401
    import torch
    import dqrt
    import llm_model
    import llm_text
    from llama_model import DQLlama

    torch.set_num_threads(a.threads)
    w = Work(a.work, a.build)
    log("model: SmolLM2-135M-Instruct (float32, dequantized from the "
        "bundled Q4_1 GGUF); work folder %s" % a.work)
    hf, tokenizer = llm_model.load_hf(log)
    _, evaluation = llm_text.split()
    windows = llm_text.token_windows(tokenizer, evaluation, SEQ,
                                     a.eval_windows)
    fp32 = export(w)

    # 2. quantize and compile.
    rows = [("pytorch-fp32", None, None), ("dq-fp32", None, None)]
    modules = {"dq-fp32": {
        "score": compile_module(w, fp32["score"], w.path("fp32", "score.so")),
        "decode": compile_module(w, fp32["decode"],
                                 w.path("fp32", "decode.so"))}}
    for c in configs:
        bits, group = CONFIGS[c]
        for m in methods:
            name = "%s-%s" % (c, m)
            if m in MIXED and a.budget_group_sizes != BUDGET_GROUPS:
                name += "-g" + a.budget_group_sizes.replace(",", "-")
            # Settings that change the weights get their own folder. RTN's
            # weights do not depend on the calibration (it only measures
            # the layer errors): one window is enough.
            windows_used = 1 if m == "rtn" else a.calib_windows
            folder = "%s-calib%d" % (name, windows_used)
            ck = quantize(w, a, folder, m, bits, group, windows_used, fp32)
            modules[name] = {
                f: compile_module(w, fp32[f],
                                  w.path(folder, module_file(f, True)),
                                  weights=ck)
                for f in ("score", "decode")}
            modules[name]["weights"] = ck
            rows.append((name, c, m))

    # 3. perplexity and 5. a continuation, module by module.
    results = {}
    log("perplexity: %d evaluation windows of %d tokens" % (len(windows), SEQ))
    t0 = time.time()
    float_bytes = 4 * sum(p.numel() for p in hf.parameters())
    cached = w.path("fp32", "torch-result-%dx%d.json" % (len(windows), SEQ))
    if os.path.exists(cached):
        with open(cached) as f:
            results["pytorch-fp32"] = json.load(f)
    else:
        results["pytorch-fp32"] = {
            "ppl": torch_perplexity(DQLlama.from_hf(hf), windows),
            "weight_bytes": float_bytes, "linear_bits": 32.0}
        import dqfiles
        dqfiles.write_atomic(cached, json.dumps(
            results["pytorch-fp32"]).encode())
    log("  pytorch-fp32: %.4f (%.0f s)" % (results["pytorch-fp32"]["ppl"],
                                          time.time() - t0))
    rt = dqrt.Runtime(threads=a.threads)
    with open(w.path("config.json")) as f:
        cfg = json.load(f)
    for name, mods in modules.items():
        # Kept beside the module, so that a stopped run does not score again.
        # Quantized modules carry the 8-bit lm_head: their results are
        # named after it, so that those of float lm_heads are not reused.
        cached = os.path.join(os.path.dirname(mods["score"]),
                              "result-%dx%d-%d%s.json" % (
                                  len(windows), SEQ, a.new_tokens,
                                  "-" + LM_HEAD_TAG + (
                                      "-int8" if ACTIVATIONS == "int8"
                                      else "") if "weights" in mods
                                  else ""))
        if os.path.exists(cached):
            with open(cached) as f:
                results[name] = json.load(f)
            log("  %s: %.4f (from %s)" % (name, results[name]["ppl"],
                                          os.path.relpath(cached, w.root)))
            continue
        t0 = time.time()
        score = rt.load(mods["score"])["score"]
        r = {"ppl": perplexity(score, windows)}
        del score
        decode = rt.load(mods["decode"])["decode"]
        r["text"] = greedy(decode, tokenizer, a.new_tokens)
        del decode
        # The embedding and the norms stay float32; quantized modules add
        # their 8-bit copy of the tied lm_head.
        r["weight_bytes"], r["linear_bits"] = float_bytes, 32.0
        if "weights" in mods:
            stored, count = linear_bytes(mods["weights"])
            r["weight_bytes"] = (float_bytes - 4 * count + stored +
                                 lm_head_bytes(cfg))
            r["linear_bits"] = 8.0 * stored / count
        r["seconds"] = time.time() - t0
        results[name] = r
        import dqfiles
        dqfiles.write_atomic(cached, json.dumps(r, indent=1).encode())
        log("  %s: %.4f (%.0f s)" % (name, r["ppl"], time.time() - t0))
    peers = llamacpp(a, len(windows))

    # 4. speed.
    speed = {}
    if not a.no_speed:
        speed = measure_speed(a, w, fp32, modules, configs, hf, bool(peers))

    report(a, windows, results, peers, speed, rows)
    return 0


def llamacpp_speed(a, threads):
    """One round of bench/llm/llamacpp_peer.py speed, in its own process
    (llama.cpp and torch each bring an OpenMP runtime)."""
    script = os.path.join(ROOT, "bench", "llm", "llamacpp_peer.py")
    out = os.path.join(a.work, "llamacpp-speed.json")
    run([sys.executable, script, "speed", "--threads", str(threads),
         "--rounds", "1", "--json", out], "llamacpp_peer speed")
    with open(out) as f:
        return json.load(f)


def measure_speed(a, w, fp32, modules, configs, hf, with_llamacpp):
    import dqrt
    from llama_model import DQLlama
    import torch
    targets = [("dq-fp32", None)] + [
        ("%s-decoupleq" % c, modules.get("%s-decoupleq" % c, {}).get("weights"))
        for c in configs if "%s-decoupleq" % c in modules]
    compiled = {}
    for name, ck in targets:
        src_dir = "fp32" if ck is None else os.path.dirname(ck)
        compiled[name] = (
            compile_module(w, fp32["prefill"],
                           w.path(src_dir, module_file("prefill", ck is not None)),
                           weights=ck),
            modules[name]["decode"])
    log("speed: prefill %d tokens, decode 128 after 128; %d rounds, "
        "interleaved; load %s" % (PREFILL, a.rounds,
                                  open("/proc/loadavg").read().split()[0]))
    out = {}
    for threads in a.speed_threads:
        torch.set_num_threads(threads)
        rt = dqrt.Runtime(threads=threads)
        fns = {n: (rt.load(p)["prefill"], rt.load(d)["decode"])
               for n, (p, d) in compiled.items()}
        model = DQLlama.from_hf(hf)
        samples = {n: ([], []) for n in list(fns) + ["pytorch-fp32"]}
        for _ in range(a.rounds):
            for n, (p, d) in fns.items():
                pre, dec = time_dq(p, d, 1)
                samples[n][0].extend(pre)
                samples[n][1].extend(dec)
            pre, dec = time_torch(model, 1)
            samples["pytorch-fp32"][0].extend(pre)
            samples["pytorch-fp32"][1].extend(dec)
            if with_llamacpp:
                try:
                    peer = llamacpp_speed(a, threads)
                except JobError as e:
                    log("llama.cpp speed: skipped (%s)"
                        % str(e).splitlines()[0])
                    with_llamacpp = False
                    continue
                for n, r in peer.items():
                    s = samples.setdefault(n, ([], []))
                    s[0].extend(r["prefill"])
                    s[1].extend(r["decode"])
        for n, (pre, dec) in samples.items():
            out.setdefault(n, {})[threads] = {"prefill": summary(pre),
                                              "decode": summary(dec)}
            log("  %d thread(s) %s: prefill %.1f tok/s, decode %.2f tok/s"
                % (threads, n, statistics.median(pre),
                   statistics.median(dec)))
    return out


def report(a, windows, results, peers, speed, rows):
    tokens = len(windows) * (SEQ - 1)
    print("\nPerplexity of SmolLM2-135M on %d evaluation windows of %d tokens "
          "(%d scored tokens); calibration: %d windows, sequential"
          % (len(windows), SEQ, tokens, a.calib_windows))
    print("| configuration | method | perplexity | bits/weight (linears) "
          "| weight MB |")
    print("|---|---|---|---|---|")
    for name, c, m in rows:
        r = results[name]
        print("| %s | %s | %.3f | %.2f | %.1f |" % (
            c or "fp32", m or name, r["ppl"], r.get("linear_bits", 32.0),
            r["weight_bytes"] / 1e6))
    for name, r in sorted(peers.get("results", {}).items()):
        print("| %s | llama.cpp | %.3f | %.2f | %.1f |" % (
            name.upper(), r["ppl"], r["linear_bits"], r["weight_bytes"] / 1e6))
    if speed:
        print("\nSpeed (tokens/s, median [min-max])")
        print("| implementation | threads | prefill %d | decode 128 |"
              % PREFILL)
        print("|---|---|---|---|")
        for name, by_threads in speed.items():
            for t, s in sorted(by_threads.items()):
                print("| %s | %d | %.1f [%.1f-%.1f] | %.2f [%.2f-%.2f] |" % (
                    name, t, s["prefill"]["median"], s["prefill"]["min"],
                    s["prefill"]["max"], s["decode"]["median"],
                    s["decode"]["min"], s["decode"]["max"]))
    print("\nGreedy continuations of %r" % PROMPT)
    for name, r in results.items():
        if "text" in r:
            print("  %-18s %s" % (name + ":", r["text"].replace("\n", " ")))
    if a.json:
        import dqfiles
        dqfiles.write_atomic(a.json, json.dumps({
            "windows": len(windows), "window": SEQ, "tokens": tokens,
            "calib_windows": a.calib_windows, "activations": ACTIVATIONS,
            "lm_head": LM_HEAD_TAG, "results": results,
            "llamacpp": peers, "speed": speed}, indent=1).encode())


if __name__ == "__main__":
    try:
        sys.exit(main())
    except JobError as e:
        log("run_llm: error: %s" % e)
        sys.exit(1)
