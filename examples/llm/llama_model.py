"""A Llama decoder written for export to dq: full-sequence scoring and
KV-cache decoding at static shapes, in plain PyTorch ops that torch-mlir
lowers to linalg on tensors.

transformers' own LlamaForCausalLM keeps its rotary frequencies in a
non-persistent buffer, which torch-mlir's FX importer cannot map, and its
caches are Python objects; this module takes the weights of such a model
(any Llama: SmolLM2, or a tiny random one for tests) and recomputes the same
function:

    h = embed[ids]
    per block: x = rms(h) * w_in;  q, k, v = x W_qᵀ, x W_kᵀ, x W_vᵀ
               RoPE(q, k); GQA attention (causal); h += attn W_oᵀ
               x = rms(h) * w_post; h += (silu(x W_gᵀ) * (x W_uᵀ)) W_dᵀ
    logits = rms(h) * w_final · embedᵀ   (lm_head tied to the embedding)

Linears keep transformers' module names (model.layers.3.self_attn.q_proj,
...), so dq's layer names are the familiar ones. The value cache is
[blocks, kv_heads, max_len, head_dim], the key cache holds the keys
transposed, [blocks, kv_heads, head_dim, max_len]; `decode` returns them updated
at `position`, and `export_llm.py` ties them to their arguments
(dq.tied_result) so that the runtime updates them in place.
"""

import math

import torch
import torch.nn.functional as F


def _rope_theta(config):
    params = getattr(config, "rope_parameters", None) or {}
    if params.get("rope_type", "default") not in ("default", None):
        raise ValueError("rope type %r is not supported" % params["rope_type"])
    theta = params.get("rope_theta", getattr(config, "rope_theta", None))
    if theta is None:
        raise ValueError("the config names no rope_theta")
    return float(theta)


class _Attention(torch.nn.Module):
    def __init__(self, d, heads, kv_heads, head_dim):
        super().__init__()
        self.q_proj = torch.nn.Linear(d, heads * head_dim, bias=False)
        self.k_proj = torch.nn.Linear(d, kv_heads * head_dim, bias=False)
        self.v_proj = torch.nn.Linear(d, kv_heads * head_dim, bias=False)
        self.o_proj = torch.nn.Linear(heads * head_dim, d, bias=False)


class _MLP(torch.nn.Module):
    def __init__(self, d, ffn):
        super().__init__()
        self.gate_proj = torch.nn.Linear(d, ffn, bias=False)
        self.up_proj = torch.nn.Linear(d, ffn, bias=False)
        self.down_proj = torch.nn.Linear(ffn, d, bias=False)


class _RMSNorm(torch.nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


class _Block(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, hd = cfg["hidden"], cfg["head_dim"]
        self.input_layernorm = _RMSNorm(d, cfg["eps"])
        self.self_attn = _Attention(d, cfg["heads"], cfg["kv_heads"], hd)
        self.post_attention_layernorm = _RMSNorm(d, cfg["eps"])
        self.mlp = _MLP(d, cfg["ffn"])


class _Model(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = torch.nn.Embedding(cfg["vocab"], cfg["hidden"])
        self.layers = torch.nn.ModuleList(
            [_Block(cfg) for _ in range(cfg["blocks"])])
        self.norm = _RMSNorm(cfg["hidden"], cfg["eps"])


def _mask_bias(mask):
    """0 where `mask` is True (attend), -inf elsewhere."""
    return torch.zeros(mask.shape).masked_fill(~mask, float("-inf"))


def _rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class DQLlama(torch.nn.Module):
    """The decoder; `score`, `decode` and `prefill` are its exported
    functions (see ScoreFn, DecodeFn, PrefillFn)."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = dict(cfg)
        self.model = _Model(cfg)
        hd = cfg["head_dim"]
        inv = 1.0 / (cfg["rope_theta"] ** (
            torch.arange(0, hd, 2, dtype=torch.float64) / hd))
        # A parameter, not a buffer: the FX importer maps parameters.
        self.inv_freq = torch.nn.Parameter(inv.float(), requires_grad=False)

    @staticmethod
    def from_hf(hf_model):
        """The same function as a transformers LlamaForCausalLM with tied
        embeddings."""
        c = hf_model.config
        if not getattr(c, "tie_word_embeddings", False):
            raise ValueError("only models with lm_head tied to the embedding "
                             "are supported")
        if getattr(c, "attention_bias", False) or getattr(c, "mlp_bias", False):
            raise ValueError("attention/MLP biases are not supported")
        if getattr(c, "hidden_act", "silu") != "silu":
            raise ValueError("activation %r is not supported" % c.hidden_act)
        head_dim = getattr(c, "head_dim", None) or (
            c.hidden_size // c.num_attention_heads)
        cfg = {"vocab": c.vocab_size, "hidden": c.hidden_size,
               "ffn": c.intermediate_size, "blocks": c.num_hidden_layers,
               "heads": c.num_attention_heads,
               "kv_heads": c.num_key_value_heads, "head_dim": head_dim,
               "eps": float(c.rms_norm_eps), "rope_theta": _rope_theta(c)}
        m = DQLlama(cfg)
        state = {k: v for k, v in hf_model.state_dict().items()
                 if k.startswith("model.")}
        missing, unexpected = m.load_state_dict(state, strict=False)
        missing = [k for k in missing if k != "inv_freq"]
        unexpected = [k for k in unexpected if "rotary_emb" not in k]
        if missing or unexpected:
            raise ValueError("weights do not match: missing %s, unexpected %s"
                             % (missing[:4], unexpected[:4]))
        return m.eval()

    # -- pieces ------------------------------------------------------------
    def _rope(self, x, positions):
        """x [B, H, L, hd] rotated at float positions [L]."""
        freqs = positions[:, None] * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        return x * emb.cos() + _rotate_half(x) * emb.sin()

    def _qkv(self, block, x, positions):
        c = self.cfg
        b, n, _ = x.shape
        att = block.self_attn
        q = att.q_proj(x).view(b, n, c["heads"], c["head_dim"]).transpose(1, 2)
        k = att.k_proj(x).view(b, n, c["kv_heads"], c["head_dim"]).transpose(1, 2)
        v = att.v_proj(x).view(b, n, c["kv_heads"], c["head_dim"]).transpose(1, 2)
        return self._rope(q, positions), self._rope(k, positions), v

    def _attend(self, q, kt, v, bias):
        """q [1, H, n, hd], keys transposed kt [1, KV, hd, T], values v
        [1, KV, T, hd], bias [n, T] (0: attend, -inf: not; _mask_bias).

        The query heads that share a key/value head (grouped-query
        attention: head h reads KV head h // group) go through one matmul as
        group * n rows, so the keys and values are never repeated per head:
        repeating them copied three times the cache per block and step.
        The keys come transposed, as the key cache stores them: q @ kt
        reads rows of positions contiguously, where q @ k.transpose() made
        the compiled decode transpose each block's whole key cache per step
        (a third of its time, dq-run --profile showed)."""
        b, heads, n, hd = q.shape
        kv = kt.shape[1]
        group = heads // kv
        q = q.reshape(b, kv, group * n, hd)
        scores = torch.matmul(q, kt) / math.sqrt(hd)
        # An added bias, not masked_fill: a select on a boolean mask stays
        # scalar code in the compiled module (vectors of i1 are bits, memory
        # holds bytes), once per block; the bias is built once per call.
        scores = scores.view(b, kv, group, n, -1) + bias
        probs = torch.softmax(scores, dim=-1).view(b, kv, group * n, -1)
        return torch.matmul(probs, v).view(b, heads, n, hd)

    def _finish_block(self, block, h, attn):
        b, _, n, _ = attn.shape
        h = h + block.self_attn.o_proj(attn.transpose(1, 2).reshape(b, n, -1))
        x = block.post_attention_layernorm(h)
        mlp = block.mlp
        return h + mlp.down_proj(F.silu(mlp.gate_proj(x)) * mlp.up_proj(x))

    def _logits(self, h):
        return F.linear(self.model.norm(h), self.model.embed_tokens.weight)

    # -- exported functions ---------------------------------------------------
    def logits(self, ids):
        """[1, L] -> [1, L, vocab], causal, positions 0..L-1."""
        n = ids.shape[1]
        positions = torch.arange(n, dtype=torch.float32)
        bias = _mask_bias(torch.ones(n, n, dtype=torch.bool).tril())
        h = self.model.embed_tokens(ids)
        for block in self.model.layers:
            q, k, v = self._qkv(block, block.input_layernorm(h), positions)
            h = self._finish_block(block, h, self._attend(
                q, k.transpose(-1, -2), v, bias))
        return self._logits(h)

    def score(self, ids):
        """[1, L] -> [1, L-1]: log p(ids[t+1] | ids[..t])."""
        logp = torch.log_softmax(self.logits(ids)[:, :-1], dim=-1)
        return logp.gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)

    def decode(self, token, position, k_cache, v_cache):
        """One step at `position` ([1] int64): token [1, 1] -> logits
        [1, vocab] and the caches with `position` filled. Cache entries past
        `position` are ignored, so they may hold anything.

        Each block writes its new key and value row into its slice of the
        caches at `position` (slice_scatter at a data-dependent offset:
        torch-mlir emits tensor.insert_slice, which bufferizes in place into
        the tied caches) and attends over that slice. Selecting the row with
        a one-hot mask instead read and wrote every block's whole cache
        twice per step.

        Run eagerly (PyTorch's own speed runs), the caches are updated in
        place instead: functional slice_scatter would copy both caches
        twice per block."""
        if not torch.compiler.is_exporting():
            return self._decode_in_place(token, position, k_cache, v_cache)
        t = v_cache.shape[2]
        p = position.item()
        torch._check(p >= 0)
        torch._check(p < t)
        bias = _mask_bias((torch.arange(t) <= position).view(1, t))
        pos = position.to(torch.float32)
        h = self.model.embed_tokens(token)
        for i, block in enumerate(self.model.layers):
            q, k, v = self._qkv(block, block.input_layernorm(h), pos)
            keys = torch.slice_scatter(k_cache[i:i + 1], k.transpose(-1, -2),
                                       dim=3, start=p, end=p + 1)
            values = torch.slice_scatter(v_cache[i:i + 1], v, dim=2, start=p,
                                         end=p + 1)
            attn = self._attend(q, keys, values, bias)
            # After the last read of keys and values: inserted earlier, the
            # slices would be read after a write to their memory, and
            # bufferization would copy them out and back.
            k_cache = torch.slice_scatter(k_cache, keys, dim=0, start=i,
                                          end=i + 1)
            v_cache = torch.slice_scatter(v_cache, values, dim=0, start=i,
                                          end=i + 1)
            h = self._finish_block(block, h, attn)
        return self._logits(h[:, -1]), k_cache, v_cache

    def _decode_in_place(self, token, position, k_cache, v_cache):
        """decode's function, writing the new rows into the given caches."""
        t = v_cache.shape[2]
        p = int(position.item())
        if not 0 <= p < t:
            raise ValueError("position %d outside the cache of %d" % (p, t))
        bias = _mask_bias((torch.arange(t) <= position).view(1, t))
        pos = position.to(torch.float32)
        h = self.model.embed_tokens(token)
        for i, block in enumerate(self.model.layers):
            q, k, v = self._qkv(block, block.input_layernorm(h), pos)
            k_cache[i, :, :, p] = k[0, :, 0]
            v_cache[i, :, p] = v[0, :, 0]
            h = self._finish_block(block, h, self._attend(
                q, k_cache[i:i + 1], v_cache[i:i + 1], bias))
        return self._logits(h[:, -1]), k_cache, v_cache

    def prefill(self, ids, k_cache, v_cache):
        """ids [1, P] at positions 0..P-1 -> the last position's logits
        [1, vocab] and the caches with positions 0..P-1 filled."""
        n = ids.shape[1]
        t = v_cache.shape[2]
        positions = torch.arange(n, dtype=torch.float32)
        bias = _mask_bias(torch.ones(n, n, dtype=torch.bool).tril())
        h = self.model.embed_tokens(ids)
        new_k, new_v = [], []
        for block in self.model.layers:
            q, k, v = self._qkv(block, block.input_layernorm(h), positions)
            kt = k.transpose(-1, -2)
            h = self._finish_block(block, h, self._attend(q, kt, v, bias))
            new_k.append(kt)
            new_v.append(v)
        k_out = torch.cat((torch.cat(new_k, dim=0), k_cache[:, :, :, n:]),
                          dim=3)
        v_out = torch.cat((torch.cat(new_v, dim=0), v_cache[:, :, n:]), dim=2)
        del t
        return self._logits(h[:, -1]), k_out, v_out

    def empty_cache(self, max_len):
        """Zero caches: keys transposed [blocks, KV, head_dim, max_len]
        (see _attend), values [blocks, KV, max_len, head_dim]."""
        c = self.cfg
        return (torch.zeros(c["blocks"], c["kv_heads"], c["head_dim"],
                            max_len),
                torch.zeros(c["blocks"], c["kv_heads"], max_len,
                            c["head_dim"]))


class ScoreFn(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, ids):
        return self.m.score(ids)


class DecodeFn(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, token, position, k_cache, v_cache):
        return self.m.decode(token, position, k_cache, v_cache)


class PrefillFn(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, ids, k_cache, v_cache):
        return self.m.prefill(ids, k_cache, v_cache)
