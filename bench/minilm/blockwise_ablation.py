#!/usr/bin/env python3
"""One point of docs/minilm.md's block-wise ablation: sequential decoupleQ
calibration of all-MiniLM-L6-v2 (examples/minilm/sequential.py) with or
without the block-wise stage, then the embeddings' quality in PyTorch
float32 with the refined weights. One JSON line on stdout (and --json,
appended).

    blockwise_ablation.py --config w2g64 --off
    blockwise_ablation.py --config w2g64 --lr 3e-4 --target model
    blockwise_ablation.py --checkpoint build/minilm/w4g128-decoupleq-bw.c1070.weights.safetensors

Quality on two disjoint held-out sets: run_minilm.py's evaluation
sentences (the first 256 held out) and a validation set (the held-out
sentences after them: 272 with Debian bookworm's Python), so that a
setting chosen on one can be checked on the other. --checkpoint scores a
checkpoint run_minilm.py wrote instead of quantizing. No compiled module: a quick comparison of settings; the
figures that count come from run_minilm.py.
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "examples", "minilm"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def held_out(split):
    import sentences
    texts = [s for i, s in enumerate(sentences._all_sentences())
             if not i % 3]
    texts = texts[:256] if split == "eval" else texts[256:]
    return texts[:len(texts) // 8 * 8]


def embeddings(model, ids, mask):
    import numpy as np
    import torch
    with torch.no_grad():
        return np.concatenate([
            model(torch.from_numpy(ids[i:i + 8]),
                  torch.from_numpy(mask[i:i + 8])).numpy()
            for i in range(0, len(ids), 8)])


def apply_checkpoint(model, path):
    import numpy as np
    import torch
    import dqfiles
    import sequential
    layers, _ = dqfiles.read_quantized_model(path)
    floats = dqfiles.read_quantized_floats(path)
    modules, params = dict(model.named_modules()), dict(
        model.named_parameters())
    with torch.no_grad():
        for n, (q, s, z, _) in layers.items():
            modules[n].weight.copy_(torch.from_numpy(
                sequential.dequantize(q, s, z).astype(np.float32)))
        for n, v in floats.items():
            params[n].copy_(torch.from_numpy(v))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default="w2g64")
    ap.add_argument("--calib-sentences", type=int,
                    help="default: all of the calibration split")
    ap.add_argument("--off", action="store_true",
                    help="layer-wise only (no block-wise stage)")
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--target", choices=("block", "model"), default="model")
    ap.add_argument("--no-norms", action="store_true")
    ap.add_argument("--checkpoint",
                    help="score this dq-quantized-model checkpoint instead")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--json")
    a = ap.parse_args()

    import torch
    import block_minimize
    import minilm_model
    import run_minilm
    import sequential
    torch.set_num_threads(2)
    t0 = time.time()
    model = minilm_model.build_model()
    row = {"config": a.config}
    if a.checkpoint:
        apply_checkpoint(model, a.checkpoint)
        row["checkpoint"] = a.checkpoint
    else:
        bits, group = run_minilm.CONFIGS[a.config]
        a.calib_sentences = a.calib_sentences or run_minilm.CALIB_SENTENCES
        settings = None if a.off else block_minimize.Settings(
            a.epochs, a.lr, 1e-6, not a.no_norms, a.target)
        sequential.sequential_blockwise(
            model, run_minilm.calibration_batches(8, a.calib_sentences),
            "decoupleq", bits, group,
            os.path.join(a.build, "bin", "dq-quant"), settings,
            log=lambda s: print(s, file=sys.stderr, flush=True))
        row.update(calib_sentences=a.calib_sentences,
                   blockwise=settings.as_dict() if settings else None)
    fp32 = minilm_model.build_model()
    for split in ("eval", "validation"):
        ids, mask = minilm_model.tokenize(held_out(split), run_minilm.SEQ)
        row[split] = run_minilm.quality(embeddings(fp32, ids, mask),
                                        embeddings(model, ids, mask))
        row[split]["sentences"] = len(ids)
    row["seconds"] = round(time.time() - t0, 1)
    line = json.dumps(row)
    print(line)
    if a.json:
        with open(a.json, "a") as f:
            f.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
