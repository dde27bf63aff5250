#!/usr/bin/env python3
"""Generates text with SmolLM2 compiled by dq: a Python loop over the
compiled prefill and decode functions (examples/llm/export_llm.py), run by
the dqrt package, with the KV caches tied to their results so they stay in
place across steps.

    generate.py --dir out/ --prompt "The capital of France is" \\
        --max-new-tokens 32 [--top-k 40 --temperature 0.8 --seed 0]

Greedy unless --top-k/--temperature are given. Prints the text, then the
prompt and decode speeds in tokens per second. The first P tokens of a
prompt of at least P tokens (P: the compiled prefill length) go through
prefill at once; the rest of the prompt, or a shorter one, goes through
decode a token at a time.
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "runtime", "python"))


def pick(logits, rng, top_k, temperature):
    import numpy as np
    if not top_k and not temperature:
        return int(np.argmax(logits))
    x = logits.astype(np.float64) / (temperature or 1.0)
    if top_k:
        keep = np.argpartition(-x, top_k - 1)[:top_k]
        mask = np.full_like(x, -np.inf)
        mask[keep] = x[keep]
        x = mask
    p = np.exp(x - x.max())
    p /= p.sum()
    return int(rng.choice(len(p), p=p))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", required=True,
                    help="folder with prefill.ll.mlir, decode.ll.mlir and "
                         "config.json (export_llm.py + dq-opt)")
    ap.add_argument("--prompt", required=True)
    ap.add_argument("--max-new-tokens", type=int, default=32)
    ap.add_argument("--top-k", type=int, default=0)
    ap.add_argument("--temperature", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()

    import numpy as np
    import dqrt
    import llm_model

    with open(os.path.join(a.dir, "config.json")) as f:
        cfg = json.load(f)
    _, tokenizer = llm_model.load_hf()
    ids = tokenizer(a.prompt).input_ids
    if not ids:
        ap.error("the prompt has no tokens")
    if len(ids) + a.max_new_tokens > cfg["max_len"]:
        ap.error("prompt (%d tokens) + %d new tokens exceed the KV cache "
                 "(%d)" % (len(ids), a.max_new_tokens, cfg["max_len"]))
    rt = dqrt.Runtime(threads=a.threads)
    prefill = rt.load(os.path.join(a.dir, "prefill.ll.mlir"))["prefill"]
    decode = rt.load(os.path.join(a.dir, "decode.ll.mlir"))["decode"]
    k = np.zeros(prefill.arg_types[1].shape, np.float32)
    v = np.zeros(prefill.arg_types[2].shape, np.float32)
    rng = np.random.default_rng(a.seed)

    start = time.time()
    pos = 0
    if len(ids) >= cfg["prefill"]:
        logits, _, _ = prefill(np.array([ids[:cfg["prefill"]]], np.int64),
                               k, v)
        pos = cfg["prefill"]
    for token in ids[pos:]:
        logits, _, _ = decode(np.array([[token]], np.int64),
                              np.array([pos], np.int64), k, v)
        pos += 1
    prompt_seconds = time.time() - start

    out = []
    start = time.time()
    for _ in range(a.max_new_tokens):
        token = pick(logits[0], rng, a.top_k, a.temperature)
        out.append(token)
        if token == tokenizer.eos_token_id:
            break
        logits, _, _ = decode(np.array([[token]], np.int64),
                              np.array([pos], np.int64), k, v)
        pos += 1
    decode_seconds = time.time() - start

    print(a.prompt + tokenizer.decode(out))
    print("prompt: %d tokens, %.1f tokens/s; decode: %d tokens, %.2f "
          "tokens/s (%d threads, %d cache copies)"
          % (len(ids), len(ids) / prompt_seconds, len(out),
             len(out) / decode_seconds, a.threads,
             decode.num_tied_copies + prefill.num_tied_copies),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
