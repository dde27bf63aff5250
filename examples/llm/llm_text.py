"""Real English text for calibration and perplexity, from the gensim wheel
on PyPI (only unzipped, never installed): gensim/test/test_data/ holds 206
shortened Wikipedia pages (enwiki-latest-pages-articles1...-shortened.bz2)
and 300 news articles (lee_background.cor).

Split (fixed): Wikipedia pages in file order; every fifth page (index
0, 5, 10, ...) is evaluation text, the others calibration text. Redirects
and pages whose cleaned text is shorter than 200 characters are dropped
before the split. The news articles are calibration text only.

Perplexity protocol: the evaluation pages are tokenized, each followed by
the end-of-text token, concatenated and cut into windows of `window` tokens
(2048) without overlap; the last partial window is dropped. Every
implementation scores the same windows.
"""

import bz2
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET
import zipfile

WIKI = ("gensim/test/test_data/"
        "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
NEWS = "gensim/test/test_data/lee_background.cor"


class TextUnavailable(Exception):
    """The gensim wheel (or mwparserfromhell) is missing."""


def find_wheel():
    """The gensim wheel: $DQ_GENSIM_WHEEL, else one in $DQ_LLM_CACHE/..,
    else fetched with pip download into ~/.cache/dq/wheels."""
    explicit = os.environ.get("DQ_GENSIM_WHEEL")
    if explicit:
        return explicit
    folder = os.path.join(os.path.expanduser("~"), ".cache", "dq", "wheels")
    found = sorted(glob.glob(os.path.join(folder, "gensim-*.whl")))
    if found:
        return found[-1]
    import subprocess
    os.makedirs(folder, exist_ok=True)
    result = subprocess.run([sys.executable, "-m", "pip", "download", "-q",
                             "--no-deps", "-d", folder, "gensim"],
                            capture_output=True, text=True)
    found = sorted(glob.glob(os.path.join(folder, "gensim-*.whl")))
    if result.returncode != 0 or not found:
        raise TextUnavailable(
            "could not download the gensim wheel from PyPI (%s); set "
            "DQ_GENSIM_WHEEL to a local gensim-*.whl"
            % (result.stderr.strip().splitlines() or ["no wheel"])[-1])
    return found[-1]


def _clean(wikitext):
    try:
        import mwparserfromhell
    except ImportError:
        raise TextUnavailable("mwparserfromhell is not installed "
                              "(pip install mwparserfromhell)") from None
    text = mwparserfromhell.parse(wikitext).strip_code()
    text = re.sub(r"\n{3,}", "\n\n", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def wikipedia_pages(wheel=None):
    """[(title, cleaned text)] in file order, redirects and stubs dropped."""
    with zipfile.ZipFile(wheel or find_wheel()) as z:
        data = bz2.decompress(z.read(WIKI))
    pages = []
    for _, elem in ET.iterparse(__import__("io").BytesIO(data)):
        if not elem.tag.endswith("}page") and elem.tag != "page":
            continue
        title = text = None
        for child in elem.iter():
            if child.tag.endswith("title"):
                title = child.text
            elif child.tag.endswith("}text") or child.tag == "text":
                text = child.text or ""
        elem.clear()
        if text is None or text.lstrip().upper().startswith("#REDIRECT"):
            continue
        cleaned = _clean(text)
        if len(cleaned) >= 200:
            pages.append((title, cleaned))
    return pages


def news_articles(wheel=None):
    with zipfile.ZipFile(wheel or find_wheel()) as z:
        lines = z.read(NEWS).decode("utf-8", "replace").splitlines()
    return [l.strip() for l in lines if l.strip()]


def split(wheel=None):
    """(calibration texts, evaluation texts)."""
    pages = wikipedia_pages(wheel)
    evaluation = [t for i, (_, t) in enumerate(pages) if i % 5 == 0]
    calibration = [t for i, (_, t) in enumerate(pages) if i % 5 != 0]
    return calibration + news_articles(wheel), evaluation


def token_windows(tokenizer, texts, window, count=None):
    """Windows [window] of token ids over `texts`, each text followed by
    the end-of-text token; at most `count` windows."""
    eos = tokenizer.eos_token_id
    ids = []
    out = []
    for text in texts:
        ids.extend(tokenizer(text).input_ids)
        ids.append(eos)
        while len(ids) >= window:
            out.append(ids[:window])
            ids = ids[window:]
            if count is not None and len(out) >= count:
                return out
    return out
