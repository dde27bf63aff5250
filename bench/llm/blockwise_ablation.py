#!/usr/bin/env python3
"""One point of docs/llm.md's block-wise ablation: sequential decoupleQ
calibration of SmolLM2 (quantize_llm.py's Run) with or without the
block-wise stage, then perplexity in PyTorch float32 with the refined
weights on the first evaluation windows. Nothing is written but one JSON
line on stdout (and --json).

    blockwise_ablation.py --calib-windows 4 --eval-windows 4 --off
    blockwise_ablation.py --calib-windows 4 --eval-windows 4 --lr 1e-3 \\
        --target model

No compiled module, no checkpoint: a quick comparison of settings. The
figures that count come from run_llm.py (compiled score).
"""

import argparse
import json
import math
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "examples", "llm"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bits", type=int, default=2)
    ap.add_argument("--group-size", type=int, default=64)
    ap.add_argument("--calib-windows", type=int, default=4)
    ap.add_argument("--eval-windows", type=int, default=4)
    ap.add_argument("--off", action="store_true",
                    help="layer-wise only (no block-wise stage)")
    ap.add_argument("--lr", type=float, default=1e-5)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--target", choices=("block", "model"), default="block")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dq-quant",
                    default=os.path.join(ROOT, "build", "bin", "dq-quant"))
    ap.add_argument("--json", help="append the result line to this file")
    a = ap.parse_args()

    import torch
    import llm_model
    import llm_text
    import quantize_llm
    from llama_model import DQLlama

    torch.set_num_threads(a.threads)
    hf, tokenizer = llm_model.load_hf(quantize_llm.log)
    model = DQLlama.from_hf(hf)
    del hf
    calibration, evaluation = llm_text.split()
    windows = llm_text.token_windows(tokenizer, calibration, 2048,
                                     a.calib_windows)
    settings = argparse.Namespace(
        method="decoupleq", bits=a.bits, group_size=a.group_size, iters=4,
        threads=a.threads, method_option=[], dq_quant=a.dq_quant,
        blockwise=not a.off, blockwise_epochs=a.epochs, blockwise_lr=a.lr,
        blockwise_weight_decay=1e-6, blockwise_norms=True,
        blockwise_target=a.target)
    run = quantize_llm.Run(settings, model, windows)
    t0 = time.time()
    with torch.no_grad():
        hidden = [model.model.embed_tokens(torch.tensor([w]))
                  for w in windows]
    with tempfile.TemporaryDirectory(prefix="dq-ablation-") as work:
        for i in range(model.cfg["blocks"]):
            hidden = run.block(i, hidden, work)
    seconds = time.time() - t0
    total = 0.0
    ev = llm_text.token_windows(tokenizer, evaluation, 2048, a.eval_windows)
    with torch.no_grad():
        for ids in ev:
            total += float(model.score(torch.tensor([ids])).double().sum())
    ppl = math.exp(-total / (len(ev) * (len(ev[0]) - 1)))
    line = json.dumps(dict(vars(a), ppl=ppl, seconds=seconds))
    print(line)
    if a.json:
        with open(a.json, "a") as f:
            f.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
