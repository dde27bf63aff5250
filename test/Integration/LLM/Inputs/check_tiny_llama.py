"""Checks dq's compilation of a tiny random Llama (examples/llm) against
PyTorch evaluated in float64.

  check_tiny_llama.py samples DIR --seed S --count N --seq L
      random token windows (.npy) for dq-run --calibrate
  check_tiny_llama.py float DIR --seed S
      score, prefill and decode compiled in fp32 (DIR/*.ll.mlir)
  check_tiny_llama.py quantized DIR --seed S
      the quantized score (DIR/score_q.mlir, compiled DIR/score_q.ll.mlir)
      against float64 PyTorch with the module's own dequantized weights
  check_tiny_llama.py generated DIR --seed S --prompt IDS --ids FILE --top-k K
      the token ids dq-llm-generate (examples/llm/generate.c) wrote to FILE
      after the prompt IDS: each one is among the K largest float64 logits
      at its position (K = 1: the argmax), within the bound below

Bound: dq and PyTorch's float32 evaluate the same function in float32 with
different summation orders, so each differs from float64 by rounding error
of the same size. dq's error must be at most 16 times PyTorch float32's own
error against float64 (measured here, on the same inputs) plus a floor of
64 u max|value| (u = 2^-24) for inputs where PyTorch happens to be nearly
exact. A wrong result (a missing block, a wrong cache slot, a mis-rotated
head) is off by far more than that.
"""
import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..", "..")
sys.path.insert(0, os.path.join(ROOT, "examples", "llm"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "runtime", "python"))
import dqgen  # noqa: E402
import dqrt  # noqa: E402
from export_llm import tiny_hf_model, tiny_model  # noqa: E402

U = 2.0 ** -24


def check(name, got, ref64, ref32):
    err = float(np.abs(got - ref64).max())
    torch_err = float(np.abs(ref32 - ref64).max())
    bound = 16 * torch_err + 64 * U * float(np.abs(ref64).max())
    ok = err <= bound
    print("%s: %s (dq %.3g, torch f32 %.3g, bound %.3g)"
          % (name, "ok" if ok else "FAIL", err, torch_err, bound))
    return ok


def windows(seed, count, seq, vocab):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, vocab, (1, seq)).astype(np.int64)
            for _ in range(count)]


def cmd_samples(a):
    model = tiny_model(a.seed)
    os.makedirs(a.dir, exist_ok=True)
    for i, ids in enumerate(windows(a.seed + 100, a.count, a.seq,
                                    model.cfg["vocab"])):
        np.save(os.path.join(a.dir, "ids%02d.npy" % i), ids)
    return True


def check_against_transformers(m64, seed, seq, vocab):
    """DQLlama (the exported function, and the reference of the checks
    below) against transformers' LlamaForCausalLM with the same weights,
    both in float64. They differ only by the rotary frequencies, which
    transformers computes in float32: |error| stays near 1e-7 of the
    logits' size, while a wrong head grouping, mask or rotation moves them
    by their own size."""
    hf = tiny_hf_model(seed).double()
    ids = torch.from_numpy(windows(seed + 11, 1, seq, vocab)[0])
    with torch.no_grad():
        ours = m64.logits(ids).numpy()
        theirs = hf(ids).logits.numpy()
    err = float(np.abs(ours - theirs).max())
    bound = 1e-5 * float(np.abs(theirs).max())
    print("model: %s (DQLlama against transformers %.3g, bound %.3g)"
          % ("ok" if err <= bound else "FAIL", err, bound))
    return err <= bound


def cmd_float(a):
    m32 = tiny_model(a.seed)
    m64 = tiny_model(a.seed).double()
    c = m32.cfg
    rt = dqrt.Runtime(threads=2)
    load = lambda f: rt.load(os.path.join(a.dir, f + ".ll.mlir"))[f]  # noqa
    score, prefill, decode = load("score"), load("prefill"), load("decode")
    seq = score.arg_types[0].shape[1]
    p = prefill.arg_types[0].shape[1]
    max_len = prefill.arg_types[2].shape[2]
    ok = check_against_transformers(m64, a.seed, seq, c["vocab"])
    for i, ids in enumerate(windows(a.seed + 7, 2, seq, c["vocab"])):
        (lp,) = score(ids)
        with torch.no_grad():
            t = torch.from_numpy(ids)
            ok &= check("score %d" % i, lp, m64.score(t).numpy(),
                        m32.score(t).numpy())

    # Prefill P tokens, then decode to the end of the cache, against the
    # full forward's logits at each position.
    ids = windows(a.seed + 9, 1, max_len, c["vocab"])[0]
    with torch.no_grad():
        t = torch.from_numpy(ids)
        full64 = m64.logits(t).numpy()[0]
        full32 = m32.logits(t).numpy()[0]
    k = np.zeros(prefill.arg_types[1].shape, np.float32)
    v = np.zeros(prefill.arg_types[2].shape, np.float32)
    k_addr = k.ctypes.data
    logits, k2, v2 = prefill(ids[:, :p], k, v)
    ok &= check("prefill", logits[0], full64[p - 1], full32[p - 1])
    worst = []
    for pos in range(p, max_len):
        logits, k2, v2 = decode(ids[:, pos:pos + 1],
                                np.array([pos], np.int64), k, v)
        assert k2 is k and v2 is v and k.ctypes.data == k_addr
        worst.append(check("decode %d" % pos, logits[0], full64[pos],
                           full32[pos]))
    ok &= all(worst)
    print("decode: %d steps, caches in place, %d copies"
          % (max_len - p, decode.num_tied_copies))
    # DQLlama's eager decode (PyTorch's speed runs) updates its caches in
    # place; float64 against the full forward, to rounding.
    k64, v64 = (c.double() for c in m64.empty_cache(max_len))
    eager_err = 0.0
    with torch.no_grad():
        t = torch.from_numpy(ids)
        for pos in range(max_len):
            lg, _, _ = m64.decode(t[:, pos:pos + 1], torch.tensor([pos]),
                                  k64, v64)
            eager_err = max(eager_err,
                            float(np.abs(lg[0].numpy() - full64[pos]).max()))
    eager_ok = eager_err <= 1e-9 * float(np.abs(full64).max())
    print("eager decode: %s (float64 against the full forward %.3g)"
          % ("ok" if eager_ok else "FAIL", eager_err))
    ok &= eager_ok
    ok &= check_bad_inputs(c, score, decode, k, v)
    return ok


def check_bad_inputs(c, score, decode, k, v):
    """A token id past the vocabulary, a position past the cache and a wrong
    cache shape are refused with a message, and the caches are untouched."""
    before = (k.copy(), v.copy())
    token = np.array([[1]], np.int64)
    at = lambda pos: np.array([pos], np.int64)  # noqa
    ids = np.zeros(score.arg_types[0].shape, np.int64)
    ids[0, 3] = c["vocab"]
    max_len = v.shape[2]
    cases = [
        ("token id", score, (ids,)),
        ("negative token id", decode, (np.array([[-1]], np.int64), at(0),
                                       k, v)),
        ("position", decode, (token, at(max_len), k, v)),
        ("cache shape", decode, (token, at(0), k[:, :, :-1].copy(), v)),
    ]
    ok = True
    for what, fn, args in cases:
        try:
            fn(*args)
            print("bad %s: no error" % what)
            ok = False
        except dqrt.DqrtError as e:
            print("bad %s: %s" % (what, e))
    if not all(np.array_equal(x, y) for x, y in zip(before, (k, v))):
        print("bad inputs: a cache changed")
        ok = False
    return ok


def linear_weights(module_text):
    """Dequantized float64 weights of the quantized module, by layer name
    (the packed blob is named after the layer: <name>.q)."""
    weights, _ = dqgen.read_module(module_text)
    out = {}
    for w in weights.values():
        name = w["resource"]
        for suffix in (".q", "_q", ".packed"):
            if name.endswith(suffix):
                name = name[:-len(suffix)]
        out[name] = dqgen.dequantize(w["q"], w["s"], w["z"], w["group"])
    return out


def cmd_quantized(a):
    with open(os.path.join(a.dir, "score_q.mlir")) as f:
        text = f.read()
    deq = linear_weights(text)
    models = {}
    for dtype in (torch.float64, torch.float32):
        m = tiny_model(a.seed).to(dtype)
        named = dict(m.named_modules())
        for name, w in deq.items():
            if name not in named:
                print("unknown layer %s in score_q.mlir" % name)
                return False
            with torch.no_grad():
                named[name].weight.copy_(torch.from_numpy(w))
        models[dtype] = m
    print("quantized layers: %d" % len(deq))
    rt = dqrt.Runtime(threads=2)
    score = rt.load(os.path.join(a.dir, "score_q.ll.mlir"))["score"]
    seq = score.arg_types[0].shape[1]
    ok = True
    total, total64, count = 0.0, 0.0, 0
    for i, ids in enumerate(windows(a.seed + 11, 3, seq,
                                    models[torch.float64].cfg["vocab"])):
        (lp,) = score(ids)
        with torch.no_grad():
            t = torch.from_numpy(ids)
            ref64 = models[torch.float64].score(t).numpy()
            ref32 = models[torch.float32].score(t).numpy()
        ok &= check("quantized score %d" % i, lp, ref64, ref32)
        total += float(lp.astype(np.float64).sum())
        total64 += float(ref64.sum())
        count += lp.size
    ppl, ppl64 = np.exp(-total / count), np.exp(-total64 / count)
    rel = abs(ppl - ppl64) / ppl64
    # The mean of the log-probabilities is within the per-token bound.
    print("perplexity: dq %.6f, float64 %.6f, relative difference %.2g"
          % (ppl, ppl64, rel))
    return ok and rel < 1e-4


def cmd_generated(a):
    m32 = tiny_model(a.seed)
    m64 = tiny_model(a.seed).double()
    prompt = [int(t) for t in a.prompt.split()]
    with open(a.ids) as f:
        new = [int(t) for t in f.read().split()]
    if len(new) != a.expect:
        print("generated %d tokens, expected %d" % (len(new), a.expect))
        return False
    # The logits that chose new[i] are those at position len(prompt)-1+i.
    ids = torch.tensor([prompt + new[:-1]])
    with torch.no_grad():
        l64 = m64.logits(ids).numpy()[0][len(prompt) - 1:]
        l32 = m32.logits(ids).numpy()[0][len(prompt) - 1:]
    ok = True
    for i, token in enumerate(new):
        torch_err = float(np.abs(l32[i] - l64[i]).max())
        tol = 16 * torch_err + 64 * U * float(np.abs(l64[i]).max())
        kth = np.sort(l64[i])[-a.top_k]
        if l64[i][token] < kth - tol:
            print("token %d (%d): logit %.6g below the top-%d cut %.6g - %.3g"
                  % (i, token, l64[i][token], a.top_k, kth, tol))
            ok = False
    print("generated: %d tokens, each among the top %d of float64: %s"
          % (len(new), a.top_k, "ok" if ok else "FAIL"))
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command",
                    choices=["samples", "float", "quantized", "generated"])
    ap.add_argument("dir")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count", type=int, default=4)
    ap.add_argument("--seq", type=int, default=16)
    ap.add_argument("--prompt", default="")
    ap.add_argument("--ids")
    ap.add_argument("--top-k", type=int, default=1)
    ap.add_argument("--expect", type=int, default=0,
                    help="the number of generated ids expected")
    a = ap.parse_args()
    ok = {"samples": cmd_samples, "float": cmd_float,
          "quantized": cmd_quantized, "generated": cmd_generated}[a.command](a)
    print("check_tiny_llama %s: %s" % (a.command, "ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
