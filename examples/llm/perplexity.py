#!/usr/bin/env python3
"""Perplexity of SmolLM2 on the evaluation text (llm_text.py's protocol),
from PyTorch float32 and from dq-compiled `score` modules run through the
dqrt Python package, on the same token windows.

    perplexity.py --windows 10 --module fp32=out/score.ll.mlir \\
        [--module w2g64-decoupleq=out/w2/score.ll.mlir ...] [--json out.json]

Each --module is NAME=PATH of a module compiled by dq-opt --dq-cpu-pipeline
from export_llm.py's score.mlir (quantized or not). Perplexity is
exp(-mean log p) over every scored token of every window (window - 1 per
window: the first token of a window has no context).
"""

import argparse
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "runtime", "python"))


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--windows", type=int, default=10)
    ap.add_argument("--window", type=int, default=2048)
    ap.add_argument("--module", action="append", default=[],
                    help="NAME=PATH of a compiled score module")
    ap.add_argument("--torch-checkpoint", action="append", default=[],
                    help="NAME=PATH: PyTorch float32 with the dequantized "
                    "weights of a quantize_llm.py checkpoint (the reference "
                    "a compiled quantized module must match)")
    ap.add_argument("--no-torch", action="store_true",
                    help="skip the PyTorch float32 baseline")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json")
    a = ap.parse_args()

    import numpy as np
    import torch
    import dqrt
    import llm_model
    import llm_text

    torch.set_num_threads(a.threads)
    hf, tokenizer = llm_model.load_hf(log)
    _, evaluation = llm_text.split()
    windows = llm_text.token_windows(tokenizer, evaluation, a.window,
                                     a.windows)
    if len(windows) < a.windows:
        log("perplexity: only %d windows of evaluation text" % len(windows))
    tokens = len(windows) * (a.window - 1)
    log("perplexity: %d windows of %d tokens, %d scored tokens"
        % (len(windows), a.window, tokens))
    results = {}

    from llama_model import DQLlama

    def torch_ppl(name, model):
        total, start = 0.0, time.time()
        with torch.no_grad():
            for i, w in enumerate(windows):
                lp = model.score(torch.tensor([w]))
                total += float(lp.double().sum())
                log("  %s: window %d/%d, %.1f s"
                    % (name, i + 1, len(windows), time.time() - start))
        results[name] = {"ppl": math.exp(-total / tokens),
                         "seconds": time.time() - start}

    if not a.no_torch:
        torch_ppl("pytorch-fp32", DQLlama.from_hf(hf))
    for spec in a.torch_checkpoint:
        import quantize_llm
        name, _, path = spec.partition("=")
        if not path:
            ap.error("--torch-checkpoint wants NAME=PATH, got %r" % spec)
        model = DQLlama.from_hf(hf)
        quantize_llm.apply_checkpoint(model, path)
        torch_ppl(name, model)

    runtime = dqrt.Runtime(threads=a.threads)
    for spec in a.module:
        name, _, path = spec.partition("=")
        if not path:
            ap.error("--module wants NAME=PATH, got %r" % spec)
        start = time.time()
        score = runtime.load(path)["score"]
        loaded = time.time() - start
        total = 0.0
        start = time.time()
        for i, w in enumerate(windows):
            (lp,) = score(np.array([w], np.int64))
            total += float(lp.astype(np.float64).sum())
            log("  %s: window %d/%d, %.1f s"
                % (name, i + 1, len(windows), time.time() - start))
        results[name] = {"ppl": math.exp(-total / tokens),
                         "seconds": time.time() - start,
                         "load_seconds": loaded}

    print("| model | perplexity | seconds |")
    print("|---|---|---|")
    for name, r in results.items():
        print("| %s | %.4f | %.1f |" % (name, r["ppl"], r["seconds"]))
    if a.json:
        with open(a.json + ".tmp", "w") as f:
            json.dump({"windows": len(windows), "window": a.window,
                       "tokens": tokens, "results": results}, f, indent=1)
        os.replace(a.json + ".tmp", a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
