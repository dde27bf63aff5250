#!/usr/bin/env python3
"""llama.cpp on the same SmolLM2-135M float32 model as dq, through PyPI
llama-cpp-python (bench/llm/setup-llamacpp.sh installs it into .venv-bench).

    llamacpp_peer.py convert [--types q2_k,q3_k_m,q4_k_m] [--imatrix-windows 4]
    llamacpp_peer.py ppl --windows 10 [--threads 2] [--json OUT]
    llamacpp_peer.py speed [--types f16,q2_k,q4_k_m] --threads 1 --rounds 1 [--json OUT]

convert: llama.cpp's own converter (convert_hf_to_gguf.py, from the same
release's source) turns the cached float32 model (examples/llm/llm_model.py)
into GGUF F16, and llama_model_quantize writes each type, once without and
once with an importance matrix. The importance matrix is what llama-imatrix
computes, the mean of x^2 per input column of each linear, taken here with
PyTorch hooks on the float model over the first --imatrix-windows windows
of dq's own calibration text (examples/llm/llm_text.py), so both tools see
the same calibration data.

ppl: the same evaluation windows as examples/llm/perplexity.py (2048 tokens,
no overlap, token t+1 scored given tokens 0..t of its window, no BOS added),
the log-softmax of llama.cpp's logits in float64.

speed: prefill tokens/s (512 tokens) and decode tokens/s (128 single-token
steps after a 128-token prompt), as examples/llm/run_llm.py times dq; model
loading is outside the timed part.

Files go to $DQ_CACHE/llamacpp-<version> (default ~/.cache/dq), written
atomically; a second convert reuses them.
"""

import argparse
import ctypes
import json
import math
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "examples", "llm"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

VERSION = "0.3.36"
SEQ, PREFILL, PROMPT, NEW = 2048, 512, 128, 128
# llama.cpp's names for the linears of block i, from transformers' names.
GGUF_NAMES = {
    "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down"}


def log(msg):
    print("llamacpp_peer: %s" % msg, file=sys.stderr, flush=True)


class PeerError(Exception):
    pass


def cache_dir():
    base = os.environ.get("DQ_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "dq")
    path = os.path.join(base, "llamacpp-" + VERSION)
    os.makedirs(path, exist_ok=True)
    return path


def import_llama_cpp():
    try:
        import llama_cpp
    except ImportError:
        raise PeerError("llama_cpp is not installed in %s; run "
                        "bench/llm/setup-llamacpp.sh" % sys.prefix)
    if llama_cpp.__version__ != VERSION:
        raise PeerError("llama_cpp %s is installed, this script is written "
                        "against %s (bench/llm/setup-llamacpp.sh)"
                        % (llama_cpp.__version__, VERSION))
    return llama_cpp


def gguf_path(kind):
    return os.path.join(cache_dir(), "smollm2-135m-%s.gguf" % kind)


def kinds(types, imatrix=True):
    out = ["f16"]
    for t in types:
        out.append(t)
        if imatrix:
            out.append(t + "-imatrix")
    return out


# --- convert -----------------------------------------------------------


def setup_source():
    script = os.path.join(HERE, "setup-llamacpp.sh")
    r = subprocess.run([script], stdout=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise PeerError("bench/llm/setup-llamacpp.sh failed")
    src = r.stdout.strip().splitlines()[-1]
    converter = os.path.join(src, "vendor", "llama.cpp", "convert_hf_to_gguf.py")
    if not os.path.exists(converter):
        raise PeerError("no converter at %s" % converter)
    return converter


def convert_f16(converter):
    out = gguf_path("f16")
    if os.path.exists(out):
        return out
    import llm_model
    llm_model.load_hf(log)  # makes sure the float32 cache exists
    tmp = out + ".tmp%d" % os.getpid()
    log("converting %s to GGUF F16 with llama.cpp's converter"
        % llm_model.cache_dir())
    r = subprocess.run([sys.executable, converter, llm_model.cache_dir(),
                        "--outtype", "f16", "--outfile", tmp],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if r.returncode != 0:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise PeerError("convert_hf_to_gguf.py failed:\n%s"
                        % r.stdout[-3000:])
    os.replace(tmp, out)
    return out


def importance_matrix(windows_count):
    """{gguf tensor name: float32 mean of x^2 per input column}."""
    import numpy as np
    path = os.path.join(cache_dir(), "imatrix-%dx%d.npz" % (windows_count, SEQ))
    if os.path.exists(path):
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    import torch
    import llm_model
    import llm_text
    hf, tokenizer = llm_model.load_hf(log)
    calibration, _ = llm_text.split()
    windows = llm_text.token_windows(tokenizer, calibration, SEQ,
                                     windows_count)
    from torch_calibrate import collect_hessians
    start = time.time()
    hessians = collect_hessians(
        hf, [(torch.tensor([w]),) for w in windows],
        lambda i: log("imatrix: window %d/%d, %.0f s"
                      % (i, len(windows), time.time() - start)))
    # The importance llama-imatrix computes is H's diagonal, mean x^2.
    out = {}
    for name, (h, _) in hessians.items():
        if ".layers." not in name:
            continue  # the tied lm_head: the GGUF has no output.weight
        block, local = name.split(".layers.", 1)[1].split(".", 1)
        key = "blk.%s.%s.weight" % (block, GGUF_NAMES[local])
        out[key] = np.diag(h).astype(np.float32)
    import io
    import dqfiles
    buf = io.BytesIO()
    np.savez(buf, **out)
    dqfiles.write_atomic(path, buf.getvalue())
    return out


def quantize(llama_cpp, src, kind, imatrix, threads):
    out = gguf_path(kind)
    if os.path.exists(out):
        return out
    base = kind.replace("-imatrix", "")
    ftype = getattr(llama_cpp, "LLAMA_FTYPE_MOSTLY_" + base.upper(), None)
    if ftype is None:
        raise PeerError("llama.cpp has no type %r" % base)
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.nthread = threads
    keep = []
    if imatrix is not None:
        import numpy as np
        entries = (llama_cpp.llama_model_imatrix_data * (len(imatrix) + 1))()
        for i, (name, values) in enumerate(sorted(imatrix.items())):
            values = np.ascontiguousarray(values, dtype=np.float32)
            keep.append(values)
            entries[i].name = name.encode()
            entries[i].data = values.ctypes.data_as(
                ctypes.POINTER(ctypes.c_float))
            entries[i].size = values.size
        entries[len(imatrix)].name = None  # the list's terminator
        params.imatrix = ctypes.cast(
            entries, ctypes.POINTER(llama_cpp.llama_model_imatrix_data))
        keep.append(entries)
    tmp = out + ".tmp%d" % os.getpid()
    log("quantizing to %s" % kind)
    rc = llama_cpp.llama_model_quantize(src.encode(), tmp.encode(),
                                        ctypes.byref(params))
    if rc != 0 or not os.path.exists(tmp):
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise PeerError("llama_model_quantize(%s) returned %d" % (kind, rc))
    os.replace(tmp, out)
    return out


def describe(path):
    """Sizes and types of a GGUF: bits per weight of the block linears and
    of all weights, the embedding's type (the lm_head is tied to it)."""
    from gguf import GGUFReader
    reader = GGUFReader(path)
    lin_bytes = lin_count = all_bytes = all_count = 0
    types, embed = {}, None
    for t in reader.tensors:
        name, kind = t.name, t.tensor_type.name
        all_bytes += int(t.n_bytes)
        all_count += int(t.n_elements)
        if name == "token_embd.weight":
            embed = kind
        if name.startswith("blk.") and any(
                "." + g + ".weight" in name for g in GGUF_NAMES.values()):
            lin_bytes += int(t.n_bytes)
            lin_count += int(t.n_elements)
            types[kind] = types.get(kind, 0) + 1
    return {"file_bytes": os.path.getsize(path), "weight_bytes": all_bytes,
            "linear_bits": 8.0 * lin_bytes / lin_count,
            "all_bits": 8.0 * all_bytes / all_count,
            "linear_types": types, "embedding_type": embed}


def cmd_convert(a):
    llama_cpp = import_llama_cpp()
    converter = setup_source()
    f16 = convert_f16(converter)
    types = [t for t in a.types.split(",") if t]
    imatrix = importance_matrix(a.imatrix_windows) if a.imatrix_windows else None
    for t in types:
        quantize(llama_cpp, f16, t, None, a.threads)
        if imatrix is not None:
            quantize(llama_cpp, f16, t + "-imatrix", imatrix, a.threads)
    for k in kinds(types, imatrix is not None):
        d = describe(gguf_path(k))
        log("%-16s %6.1f MB, linears %.2f bits/weight %s, embedding %s"
            % (k, d["file_bytes"] / 1e6, d["linear_bits"],
               d["linear_types"], d["embedding_type"]))
    return 0


# --- ppl and speed -----------------------------------------------------


def load(llama_cpp, path, n_ctx, threads, logits_all):
    if not os.path.exists(path):
        raise PeerError("%s is missing; run llamacpp_peer.py convert" % path)
    return llama_cpp.Llama(model_path=path, n_ctx=n_ctx, n_batch=512,
                           n_ubatch=512, n_threads=threads,
                           n_threads_batch=threads, logits_all=logits_all,
                           verbose=False)


def window_logprob(llm, window):
    import numpy as np
    llm.reset()
    llm.eval(window)
    logits = llm.scores[:len(window)]
    total = 0.0
    for lo in range(0, len(window) - 1, 256):
        hi = min(lo + 256, len(window) - 1)
        z = logits[lo:hi].astype(np.float64)
        m = z.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
        total += float((z[np.arange(hi - lo), window[lo + 1:hi + 1]]
                        - lse).sum())
    return total


def cmd_ppl(a):
    llama_cpp = import_llama_cpp()
    import llm_model
    import llm_text
    _, tokenizer = llm_model.load_hf(log)
    _, evaluation = llm_text.split()
    windows = llm_text.token_windows(tokenizer, evaluation, SEQ, a.windows)
    tokens = len(windows) * (SEQ - 1)
    results = {}
    for k in [k for k in a.kinds.split(",") if k]:
        path = gguf_path(k)
        llm = load(llama_cpp, path, SEQ, a.threads, True)
        if llm.n_vocab() != tokenizer.vocab_size:
            raise PeerError("%s has %d tokens, the tokenizer %d"
                            % (path, llm.n_vocab(), tokenizer.vocab_size))
        probe = "The history of the city of Paris, 1850-1900."
        if llm.tokenize(probe.encode(), add_bos=False) != tokenizer.encode(
                probe, add_special_tokens=False):
            raise PeerError("%s tokenizes differently from the model's "
                            "tokenizer" % path)
        total, start = 0.0, time.time()
        for i, w in enumerate(windows):
            total += window_logprob(llm, list(w))
            log("%s: window %d/%d, %.0f s" % (k, i + 1, len(windows),
                                             time.time() - start))
        r = describe(path)
        r["ppl"] = math.exp(-total / tokens)
        r["seconds"] = time.time() - start
        results[k] = r
        log("%s: perplexity %.4f" % (k, r["ppl"]))
        del llm
    out = {"version": VERSION, "windows": len(windows), "window": SEQ,
           "tokens": tokens, "results": results}
    if a.json:
        import dqfiles
        dqfiles.write_atomic(a.json, json.dumps(out, indent=1).encode())
    else:
        print(json.dumps(out, indent=1))
    return 0


def cmd_speed(a):
    import numpy as np
    llama_cpp = import_llama_cpp()
    rng = np.random.default_rng(0)
    ids = [int(i) for i in rng.integers(0, 49152, PREFILL)]
    out = {}
    for k in [k for k in a.kinds.split(",") if k]:
        llm = load(llama_cpp, gguf_path(k), 640, a.threads, False)
        llm.reset()
        llm.eval(ids[:64])  # warm-up: first-touch of the weights
        pre, dec = [], []
        for _ in range(a.rounds):
            llm.reset()
            t0 = time.perf_counter()
            llm.eval(ids)
            pre.append(PREFILL / (time.perf_counter() - t0))
            llm.reset()
            llm.eval(ids[:PROMPT])
            t0 = time.perf_counter()
            for t in ids[PROMPT:PROMPT + NEW]:
                llm.eval([t])
            dec.append(NEW / (time.perf_counter() - t0))
        d = describe(gguf_path(k))
        out["llama.cpp-" + k] = {"prefill": pre, "decode": dec,
                                 "weight_bytes": d["weight_bytes"]}
        log("%s, %d thread(s): prefill %.1f tok/s, decode %.2f tok/s"
            % (k, a.threads, statistics.median(pre), statistics.median(dec)))
        del llm
    text = json.dumps(out, indent=1)
    if a.json:
        import dqfiles
        dqfiles.write_atomic(a.json, text.encode())
    else:
        print(text)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert", help="F16 GGUF and its quantized types")
    c.add_argument("--types", default="q2_k,q3_k_m,q4_k_m")
    c.add_argument("--imatrix-windows", type=int, default=4,
                   help="calibration windows for the importance matrix "
                   "(0: no imatrix variants)")
    c.add_argument("--threads", type=int, default=2)
    p = sub.add_parser("ppl", help="perplexity on the evaluation windows")
    p.add_argument("--windows", type=int, default=10)
    p.add_argument("--kinds", default=",".join(
        kinds(["q2_k", "q3_k_m", "q4_k_m"])))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json")
    s = sub.add_parser("speed", help="prefill and decode tokens/s")
    s.add_argument("--kinds", default="f16,q2_k,q4_k_m")
    s.add_argument("--threads", type=int, default=2)
    s.add_argument("--rounds", type=int, default=1)
    s.add_argument("--json")
    a = ap.parse_args()
    try:
        return {"convert": cmd_convert, "ppl": cmd_ppl,
                "speed": cmd_speed}[a.cmd](a)
    except PeerError as e:
        log("error: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
