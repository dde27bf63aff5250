"""Real English sentences for calibration and evaluation, taken from
CPython's bundled documentation (pydoc_data/topics.py, Python Software
Foundation License), which ships with every Python: nothing is downloaded
and nothing large is committed.

Sentences are prose (8-60 words, mostly alphabetic), deduplicated, in
document order. calibration() and evaluation() are disjoint: every
`stride`-th sentence goes to evaluation, the rest to calibration.
"""
import re


def _all_sentences():
    import pydoc_data.topics as topics
    text = " ".join(topics.topics.values())
    text = re.sub(r"\s+", " ", text)
    out, seen = [], set()
    for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text):
        words = s.split()
        if not 8 <= len(words) <= 60:
            continue
        if sum(w.strip(",.;:()").isalpha() for w in words) < 0.7 * len(words):
            continue
        if s in seen:
            continue
        seen.add(s)
        out.append(s)
    return out


def calibration(count=384, stride=3):
    """The first `count` sentences not reserved for evaluation."""
    return [s for i, s in enumerate(_all_sentences()) if i % stride][:count]


def evaluation(count=256, stride=3):
    """Every `stride`-th sentence: held out from calibration."""
    return [s for i, s in enumerate(_all_sentences()) if not i % stride][:count]
