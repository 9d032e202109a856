"""Independent float64 numpy reference of Hugging Face decoder-only LLM forward passes.

forward(config, weights, tokens) -> logits [T, vocab] for ONE unpadded sequence at positions 0..T-1
(no KV cache, no padding), for model_type in {llama, mistral, qwen2, gemma2}.

Semantics follow transformers' modeling_llama.py / modeling_mistral.py / modeling_qwen2.py /
modeling_gemma2.py / modeling_rope_utils.py / masking_utils.py. Everything is computed in float64;
weights are taken exactly as given (pass the values that were actually stored, i.e. after F16/BF16 rounding).

Notes on what was verified in the HF sources (see also fixtures README):

* Causal mask (masking_utils.causal_mask_function): key j visible to query i iff j <= i.
* Sliding window (masking_utils.sliding_window_overlay): `kv_idx > q_idx - sliding_window`, AND-ed with
  the causal mask. So query i sees key j iff  j <= i  and  i - j < sliding_window, i.e. the current token
  plus the sliding_window-1 previous ones. The older Gemma2DecoderLayer code
  (torch.tril(ones, diagonal=-sliding_window) -> masked) and the older Mistral
  `_prepare_4d_causal_attention_mask_with_sliding_window` (`arange <= cache_position - sliding_window` ->
  masked) encode the same inequality.
* Mistral: sliding window is applied in EVERY layer whenever config.sliding_window is not None
  (`create_causal_mask if config.sliding_window is None else create_sliding_window_causal_mask`).
* Qwen2: a layer i is sliding iff use_sliding_window and i >= max_window_layers (config.layer_types
  default); config.sliding_window is ignored (set to None by Qwen2Config) when use_sliding_window is false.
* Gemma2: layer i is sliding iff i is EVEN (layer 0, 2, 4, ... are sliding; 1, 3, ... are global).
  Older code: `is_sliding = not bool(layer_idx % 2)`; newer config default:
  layer_types = ["sliding_attention" if bool((i + 1) % 2) else "full_attention" ...]. An explicit
  `layer_types` list in the config takes precedence.
* Gemma2 embedding normalizer: `torch.tensor(hidden_size**0.5, dtype=hidden_states.dtype)`, i.e.
  sqrt(hidden) is rounded to the model dtype (float32 / bfloat16 / float16) BEFORE multiplying.
  Here it is rounded to config["torch_dtype"] and then the product is done in float64.
* Gemma2 attention: scores = (q k^T) * query_pre_attn_scalar**-0.5; if attn_logit_softcapping:
  scores = tanh(scores / cap) * cap; THEN the (causal / sliding) mask is added; softmax.
  Final logits: if final_logit_softcapping: logits = tanh(logits / cap) * cap.
* RoPE: inv_freq[k] = 1 / theta**(2k/dim), dim = head_dim; emb = cat(freqs, freqs);
  x_rot = x*cos + rotate_half(x)*sin with rotate_half(x) = cat(-x2, x1) (halves, NOT interleaved pairs).
  HF computes inv_freq/cos/sin in float32; this reference uses float64 (differences ~1e-7 relative).
* llama3 rope scaling (_compute_llama3_parameters), with old = original_max_position_embeddings:
    low_freq_wavelen = old / low_freq_factor; high_freq_wavelen = old / high_freq_factor
    wavelen = 2*pi / inv_freq
    wavelen > low_freq_wavelen                     -> inv_freq / factor              ("scaled")
    wavelen < high_freq_wavelen                    -> inv_freq                       ("kept")
    otherwise (high <= wavelen <= low)             -> (1-s)*inv_freq/factor + s*inv_freq,
                                                      s = (old/wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
  attention_factor is 1.0 (cos/sin not rescaled). If original_max_position_embeddings is missing HF
  falls back to max_position_embeddings.
"""
import math

import numpy as np

SUPPORTED = ("llama", "mistral", "qwen2", "gemma2")


# ----------------------------------------------------------------------------------------------- basics
def rms_norm(x, w, eps, gemma=False):
    x = np.asarray(x, dtype=np.float64)
    y = x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)
    return y * ((1.0 + w) if gemma else w)


def silu(x):
    return x / (1.0 + np.exp(-x))


def gelu_tanh(x):
    # gelu_pytorch_tanh == torch.nn.functional.gelu(x, approximate="tanh")
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def act_fn(name):
    if name in ("silu", "swish"):
        return silu
    if name in ("gelu_pytorch_tanh", "gelu_tanh", "gelu_new", "gelu_fast"):
        # gelu_new/gelu_fast are numerically the tanh approximation as well
        return gelu_tanh
    if name == "gelu":
        from math import erf
        v = np.vectorize(erf)
        return lambda x: 0.5 * x * (1.0 + v(x / math.sqrt(2.0)))
    raise NotImplementedError(f"activation {name}")


def round_scalar_to_dtype(v, torch_dtype):
    if torch_dtype in (None, "float32"):
        return float(np.float32(v))
    if torch_dtype == "float16":
        return float(np.float16(v))
    if torch_dtype == "bfloat16":
        u = int(np.array([v], dtype=np.float32).view(np.uint32)[0])
        u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
        return float(np.array([u << 16], dtype=np.uint32).view(np.float32)[0])
    if torch_dtype == "float64":
        return float(v)
    raise ValueError(torch_dtype)


# ----------------------------------------------------------------------------------------------- config
def head_dim_of(config):
    hd = config.get("head_dim")
    if config["model_type"] == "gemma2" and hd is None:
        hd = 256  # Gemma2Config default
    return int(hd) if hd else config["hidden_size"] // config["num_attention_heads"]


def rope_params(config):
    rs = config.get("rope_scaling") or config.get("rope_parameters") or {}
    rs = dict(rs)
    rope_type = rs.get("rope_type", rs.get("type", "default"))
    theta = rs.get("rope_theta", config.get("rope_theta", 10000.0))
    return rope_type, float(theta), rs


def compute_default_inv_freq(theta, dim):
    return 1.0 / (theta ** (np.arange(0, dim, 2, dtype=np.float64) / dim))


def llama3_inv_freq(inv_freq, factor, low_freq_factor, high_freq_factor, old_context_len):
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    scaled = np.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    is_medium = ~(wavelen < high_freq_wavelen) & ~(wavelen > low_freq_wavelen)
    return np.where(is_medium, smoothed, scaled)


def llama3_categories(inv_freq, low_freq_factor, high_freq_factor, old_context_len):
    """Per frequency: 'kept', 'scaled' or 'smoothed' (for fixture self-checks)."""
    wavelen = 2 * math.pi / inv_freq
    out = []
    for w in wavelen:
        if w < old_context_len / high_freq_factor:
            out.append("kept")
        elif w > old_context_len / low_freq_factor:
            out.append("scaled")
        else:
            out.append("smoothed")
    return out


def inv_freq_of(config):
    dim = head_dim_of(config)
    rope_type, theta, rs = rope_params(config)
    prf = rs.get("partial_rotary_factor", config.get("partial_rotary_factor", 1.0))
    if prf not in (None, 1.0):
        raise NotImplementedError("partial_rotary_factor != 1")
    inv = compute_default_inv_freq(theta, dim)
    if rope_type == "default":
        return inv
    if rope_type == "linear":
        return inv / float(rs["factor"])
    if rope_type == "llama3":
        old = rs.get("original_max_position_embeddings", config.get("max_position_embeddings"))
        return llama3_inv_freq(inv, float(rs["factor"]), float(rs["low_freq_factor"]),
                               float(rs["high_freq_factor"]), float(old))
    raise NotImplementedError(f"rope_type {rope_type}")


def rope_cos_sin(inv_freq, positions):
    freqs = np.outer(np.asarray(positions, dtype=np.float64), inv_freq)  # [T, dim/2]
    emb = np.concatenate([freqs, freqs], axis=-1)  # [T, dim]
    return np.cos(emb), np.sin(emb)


def rotate_half(x):
    h = x.shape[-1] // 2
    return np.concatenate([-x[..., h:], x[..., :h]], axis=-1)


def apply_rope(x, cos, sin):
    # x: [heads, T, D]; cos/sin: [T, D]
    return x * cos[None] + rotate_half(x) * sin[None]


def layer_sliding_windows(config):
    """Per layer: the sliding window (int) or None for full causal attention."""
    mt = config["model_type"]
    n = config["num_hidden_layers"]
    sw = config.get("sliding_window")
    lt = config.get("layer_types")
    if mt == "mistral" or mt == "llama":
        # llama has no sliding window; mistral uses it on every layer when set
        return [sw if (mt == "mistral" and sw is not None) else None for _ in range(n)]
    if mt == "qwen2":
        use = config.get("use_sliding_window", False)
        if lt is None:
            mwl = config.get("max_window_layers", n)
            lt = ["sliding_attention" if (use and i >= mwl) else "full_attention" for i in range(n)]
        eff = sw if use else None
        return [eff if t == "sliding_attention" else None for t in lt]
    if mt == "gemma2":
        if lt is None:
            lt = ["sliding_attention" if (i + 1) % 2 else "full_attention" for i in range(n)]  # even i sliding
        return [sw if t == "sliding_attention" else None for t in lt]
    raise NotImplementedError(mt)


def attention_mask(T, sliding_window):
    i = np.arange(T)[:, None]
    j = np.arange(T)[None, :]
    allowed = j <= i
    if sliding_window is not None:
        allowed &= j > i - sliding_window  # HF sliding_window_overlay: kv_idx > q_idx - sliding_window
    return allowed


def softmax_masked(scores, allowed):
    s = np.where(allowed, scores, -np.inf)
    s = s - np.max(s, axis=-1, keepdims=True)
    e = np.exp(s)
    return e / np.sum(e, axis=-1, keepdims=True)


def linear(x, w, b=None):
    y = x @ w.T
    return y + b if b is not None else y


# ----------------------------------------------------------------------------------------------- forward
def attention(config, W, p, x, cos, sin, sliding_window):
    T = x.shape[0]
    H = config["num_attention_heads"]
    KV = config.get("num_key_value_heads") or H
    D = head_dim_of(config)
    mt = config["model_type"]
    g = W.get
    q = linear(x, W[p + "q_proj.weight"], g(p + "q_proj.bias"))
    k = linear(x, W[p + "k_proj.weight"], g(p + "k_proj.bias"))
    v = linear(x, W[p + "v_proj.weight"], g(p + "v_proj.bias"))
    q = q.reshape(T, H, D).transpose(1, 0, 2)
    k = k.reshape(T, KV, D).transpose(1, 0, 2)
    v = v.reshape(T, KV, D).transpose(1, 0, 2)
    q = apply_rope(q, cos, sin)
    k = apply_rope(k, cos, sin)
    # GQA: repeat_kv expands kv head j to query heads j*n_rep .. j*n_rep+n_rep-1
    n_rep = H // KV
    k = np.repeat(k, n_rep, axis=0)
    v = np.repeat(v, n_rep, axis=0)
    if mt == "gemma2":
        scaling = float(config.get("query_pre_attn_scalar", 256)) ** -0.5
    else:
        scaling = D ** -0.5
    scores = np.einsum("htd,hsd->hts", q, k) * scaling
    cap = config.get("attn_logit_softcapping") if mt == "gemma2" else None
    if cap is not None:
        scores = np.tanh(scores / cap) * cap
    probs = softmax_masked(scores, attention_mask(T, sliding_window)[None])
    out = np.einsum("hts,hsd->htd", probs, v).transpose(1, 0, 2).reshape(T, H * D)
    return linear(out, W[p + "o_proj.weight"], g(p + "o_proj.bias"))


def mlp(config, W, p, x):
    g = W.get
    act = act_fn(config.get("hidden_activation") or config.get("hidden_act") or "silu") \
        if config["model_type"] == "gemma2" else act_fn(config.get("hidden_act", "silu"))
    gate = linear(x, W[p + "gate_proj.weight"], g(p + "gate_proj.bias"))
    up = linear(x, W[p + "up_proj.weight"], g(p + "up_proj.bias"))
    return linear(act(gate) * up, W[p + "down_proj.weight"], g(p + "down_proj.bias"))


def forward(config, weights, tokens, return_hidden=False):
    mt = config["model_type"]
    if mt not in SUPPORTED:
        raise NotImplementedError(mt)
    W = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
    tokens = np.asarray(tokens, dtype=np.int64)
    T = len(tokens)
    eps = float(config.get("rms_norm_eps", 1e-6))
    gemma = mt == "gemma2"

    x = W["model.embed_tokens.weight"][tokens]
    if gemma:
        x = x * round_scalar_to_dtype(config["hidden_size"] ** 0.5, config.get("torch_dtype", "float32"))

    cos, sin = rope_cos_sin(inv_freq_of(config), np.arange(T))
    windows = layer_sliding_windows(config)
    for i in range(config["num_hidden_layers"]):
        p = f"model.layers.{i}."
        if gemma:
            h = rms_norm(x, W[p + "input_layernorm.weight"], eps, gemma=True)
            h = attention(config, W, p + "self_attn.", h, cos, sin, windows[i])
            h = rms_norm(h, W[p + "post_attention_layernorm.weight"], eps, gemma=True)
            x = x + h
            h = rms_norm(x, W[p + "pre_feedforward_layernorm.weight"], eps, gemma=True)
            h = mlp(config, W, p + "mlp.", h)
            h = rms_norm(h, W[p + "post_feedforward_layernorm.weight"], eps, gemma=True)
            x = x + h
        else:
            h = rms_norm(x, W[p + "input_layernorm.weight"], eps)
            x = x + attention(config, W, p + "self_attn.", h, cos, sin, windows[i])
            h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
            x = x + mlp(config, W, p + "mlp.", h)
    x = rms_norm(x, W["model.norm.weight"], eps, gemma=gemma)

    # Config-class defaults: LlamaConfig/MistralConfig/Qwen2Config tie_word_embeddings=False, Gemma2Config True.
    tied = config.get("tie_word_embeddings", gemma)
    if tied:
        # HF ties the parameter: the embedding matrix IS the head (a stored lm_head tensor is ignored).
        lm_head = W["model.embed_tokens.weight"]
    else:
        if "lm_head.weight" not in W:
            raise KeyError("untied model without lm_head.weight")
        lm_head = W["lm_head.weight"]
    logits = x @ lm_head.T
    if gemma and config.get("final_logit_softcapping") is not None:
        c = float(config["final_logit_softcapping"])
        logits = np.tanh(logits / c) * c
    return (logits, x) if return_hidden else logits
