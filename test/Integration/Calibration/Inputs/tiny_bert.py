"""A tiny random BERT sentence embedder shaped like all-MiniLM-L6-v2
(examples/minilm/minilm_model.py's SentenceEmbedder over a BertModel): 2
blocks, hidden 32, 2 heads, intermediate 64, vocabulary 64. A model script
for scripts/export_torch.py, and the model of minilm-blockwise.test.

The LayerNorms get random weights and biases: freshly initialized ones are
all equal, and the export names a blob after its parameter only when its
bytes are unique (docs/weights-format.md), which block-wise minimization's
trained LayerNorms need.
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "examples",
                                "minilm"))
from minilm_model import SentenceEmbedder  # noqa: E402

SEED = int(os.environ.get("DQ_TINY_BERT_SEED", "5"))
SEQ = 16


def build_model(seed=SEED):
    from transformers import BertConfig, BertModel
    torch.manual_seed(seed)
    cfg = BertConfig(vocab_size=64, hidden_size=32, num_hidden_layers=2,
                     num_attention_heads=2, intermediate_size=64,
                     max_position_embeddings=32, hidden_act="gelu",
                     attn_implementation="eager")
    bert = BertModel(cfg, add_pooling_layer=False)
    with torch.no_grad():
        for name, p in bert.named_parameters():
            if "LayerNorm" in name:
                p.copy_((1.0 if name.endswith("weight") else 0.0) +
                        0.2 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))
    model = SentenceEmbedder(bert).eval()
    for module in model.modules():
        module._non_persistent_buffers_set.clear()
    return model


def example_inputs():
    ids = torch.randint(0, 64, (1, SEQ), dtype=torch.int64)
    return ids, torch.ones(1, SEQ, dtype=torch.int64)


def calibration_inputs():
    """Random all-real-token windows (the export asks for them as well)."""
    g = torch.Generator().manual_seed(SEED + 1)
    for _ in range(4):
        ids = torch.randint(0, 64, (1, SEQ), generator=g)
        yield ids, torch.ones_like(ids)
