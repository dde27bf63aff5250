#!/usr/bin/env python3
"""SmolLM2's tokenizer on the command line, for the C generation loop
(dq-llm-generate, examples/llm/generate.c), which takes and prints token ids:

    tokens.py encode "The capital of France is"     # prints the ids
    ... | tokens.py decode [--prompt "The capital of France is"]

`decode` reads whitespace-separated ids on stdin and prints the text,
after the prompt when one is given. It needs transformers (.venv-bench).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    enc = sub.add_parser("encode", help="text -> token ids")
    enc.add_argument("text")
    dec = sub.add_parser("decode", help="token ids on stdin -> text")
    dec.add_argument("--prompt", default="")
    a = ap.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoTokenizer
    import llm_model
    # The tokenizer alone: the cached float model need not be loaded.
    cache = llm_model.cache_dir()
    if not os.path.exists(os.path.join(cache, "tokenizer.json")):
        llm_model.load_hf()
    tokenizer = AutoTokenizer.from_pretrained(cache)
    if a.command == "encode":
        ids = tokenizer(a.text).input_ids
        if not ids:
            ap.error("the text has no tokens")
        print(" ".join(map(str, ids)))
        return 0
    try:
        ids = [int(t) for t in sys.stdin.read().split()]
    except ValueError as e:
        print("tokens.py: error: stdin holds something other than token "
              "ids: %s" % e, file=sys.stderr)
        return 1
    bad = [t for t in ids if not 0 <= t < len(tokenizer)]
    if bad:
        print("tokens.py: error: token id %d is outside the vocabulary "
              "[0, %d)" % (bad[0], len(tokenizer)), file=sys.stderr)
        return 1
    print(a.prompt + tokenizer.decode(ids))
    return 0


if __name__ == "__main__":
    sys.exit(main())
