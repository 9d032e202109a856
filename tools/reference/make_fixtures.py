"""Generate golden fixtures for the Zhyper family tests.

    python3 tools/reference/make_fixtures.py

Writes core/src/test/resources/fixtures/families/<case>/{config.json, model.safetensors | sharded, expected.json}
and README.md. Deterministic (fixed seeds); re-running regenerates identical bytes.
Expected logits are computed by hf_reference.forward in float64 from the weights READ BACK from the
written safetensors files (so F16/BF16 rounding of the stored weights is included).
"""
import json
import math
import os
import shutil
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hf_reference as ref  # noqa: E402
import safetensors_np as st  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(REPO, "core", "src", "test", "resources", "fixtures", "families")
TRANSFORMERS_VERSION = "4.46.0"
TORCH_DTYPE = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}


# ------------------------------------------------------------------------------------------- configs
def llama_config(**kw):
    c = {
        "architectures": ["LlamaForCausalLM"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "hidden_act": "silu",
        "hidden_size": 32,
        "initializer_range": 0.02,
        "intermediate_size": 64,
        "max_position_embeddings": 256,
        "mlp_bias": False,
        "model_type": "llama",
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "num_key_value_heads": 2,
        "pretraining_tp": 1,
        "rms_norm_eps": 1e-05,
        "rope_scaling": None,
        "rope_theta": 10000.0,
        "tie_word_embeddings": False,
        "torch_dtype": "float32",
        "transformers_version": TRANSFORMERS_VERSION,
        "use_cache": True,
        "vocab_size": 64,
    }
    c.update(kw)
    return c


def mistral_config(**kw):
    c = {
        "architectures": ["MistralForCausalLM"],
        "attention_dropout": 0.0,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "head_dim": 8,
        "hidden_act": "silu",
        "hidden_size": 32,
        "initializer_range": 0.02,
        "intermediate_size": 64,
        "max_position_embeddings": 1024,
        "model_type": "mistral",
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "num_key_value_heads": 2,
        "rms_norm_eps": 1e-05,
        "rope_theta": 1000000.0,
        "sliding_window": None,
        "tie_word_embeddings": False,
        "torch_dtype": "float32",
        "transformers_version": TRANSFORMERS_VERSION,
        "use_cache": True,
        "vocab_size": 72,
    }
    c.update(kw)
    return c


def qwen2_config(**kw):
    c = {
        "architectures": ["Qwen2ForCausalLM"],
        "attention_dropout": 0.0,
        "bos_token_id": 0,
        "eos_token_id": 1,
        "hidden_act": "silu",
        "hidden_size": 32,
        "initializer_range": 0.02,
        "intermediate_size": 64,
        "max_position_embeddings": 512,
        "max_window_layers": 1,
        "model_type": "qwen2",
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "num_key_value_heads": 2,
        "rms_norm_eps": 1e-06,
        "rope_scaling": None,
        "rope_theta": 1000000.0,
        # Present but INACTIVE (use_sliding_window=false), exactly like real Qwen2/2.5 hub configs.
        "sliding_window": 4,
        "tie_word_embeddings": True,
        "torch_dtype": "float16",
        "transformers_version": TRANSFORMERS_VERSION,
        "use_cache": True,
        "use_sliding_window": False,
        "vocab_size": 96,
    }
    c.update(kw)
    return c


def gemma2_config(**kw):
    c = {
        "architectures": ["Gemma2ForCausalLM"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        "attn_logit_softcapping": 2.0,
        "bos_token_id": 2,
        "cache_implementation": "hybrid",
        "eos_token_id": 1,
        "final_logit_softcapping": 3.0,
        "head_dim": 16,
        "hidden_act": "gelu_pytorch_tanh",
        "hidden_activation": "gelu_pytorch_tanh",
        "hidden_size": 32,
        "initializer_range": 0.02,
        "intermediate_size": 64,
        "max_position_embeddings": 512,
        "model_type": "gemma2",
        "num_attention_heads": 4,
        "num_hidden_layers": 3,
        "num_key_value_heads": 2,
        "pad_token_id": 0,
        "query_pre_attn_scalar": 24,
        "rms_norm_eps": 1e-06,
        "rope_theta": 10000.0,
        "sliding_window": 4,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
        "transformers_version": TRANSFORMERS_VERSION,
        "use_cache": True,
        "vocab_size": 80,
    }
    c.update(kw)
    return c


# ------------------------------------------------------------------------------------------- weights
def make_weights(c, seed, std=0.3, emb_std=0.5, attn_bias_std=0.3):
    """Random HF-named weights (float64, before storage rounding). Linear weights are [out, in]."""
    rng = np.random.default_rng(seed)
    mt = c["model_type"]
    gemma = mt == "gemma2"
    H, KV, D = c["num_attention_heads"], c["num_key_value_heads"], ref.head_dim_of(c)
    h, f, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]

    def norm_w(n):
        return rng.normal(0.0, 0.2, n) if gemma else rng.normal(1.0, 0.2, n)

    w = {"model.embed_tokens.weight": rng.normal(0.0, emb_std, (V, h))}
    qkv_bias = mt == "qwen2" or c.get("attention_bias", False)
    o_bias = mt != "qwen2" and c.get("attention_bias", False)
    mlp_bias = c.get("mlp_bias", False)
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = norm_w(h)
        w[p + "self_attn.q_proj.weight"] = rng.normal(0.0, std, (H * D, h))
        w[p + "self_attn.k_proj.weight"] = rng.normal(0.0, std, (KV * D, h))
        w[p + "self_attn.v_proj.weight"] = rng.normal(0.0, std, (KV * D, h))
        w[p + "self_attn.o_proj.weight"] = rng.normal(0.0, std, (h, H * D))
        if qkv_bias:
            w[p + "self_attn.q_proj.bias"] = rng.normal(0.0, attn_bias_std, H * D)
            w[p + "self_attn.k_proj.bias"] = rng.normal(0.0, attn_bias_std, KV * D)
            w[p + "self_attn.v_proj.bias"] = rng.normal(0.0, attn_bias_std, KV * D)
        if o_bias:
            w[p + "self_attn.o_proj.bias"] = rng.normal(0.0, attn_bias_std, h)
        w[p + "post_attention_layernorm.weight"] = norm_w(h)
        if gemma:
            w[p + "pre_feedforward_layernorm.weight"] = norm_w(h)
            w[p + "post_feedforward_layernorm.weight"] = norm_w(h)
        w[p + "mlp.gate_proj.weight"] = rng.normal(0.0, std, (f, h))
        w[p + "mlp.up_proj.weight"] = rng.normal(0.0, std, (f, h))
        w[p + "mlp.down_proj.weight"] = rng.normal(0.0, std, (h, f))
        if mlp_bias:
            for n, size in (("gate_proj", f), ("up_proj", f), ("down_proj", h)):
                w[p + f"mlp.{n}.bias"] = rng.normal(0.0, attn_bias_std, size)
    w["model.norm.weight"] = norm_w(h)
    if not c.get("tie_word_embeddings", gemma):
        w["lm_head.weight"] = rng.normal(0.0, std, (V, h))
    # round through float32 first so that every storage path starts from identical float32 values
    return {k: v.astype(np.float32) for k, v in w.items()}


def make_tokens(seed, n, vocab):
    return [int(t) for t in np.random.default_rng(seed).integers(0, vocab, n)]


# ------------------------------------------------------------------------------------------- writing
def fmt(x):
    s = str(np.float32(x))  # shortest repr that round-trips the float32 value
    assert np.float32(float(s)) == np.float32(x)
    return s


def write_expected(path, tokens, logits):
    rows = ",\n    ".join("[" + ",".join(fmt(v) for v in row) + "]" for row in logits)
    with open(path, "w") as f:
        f.write('{\n  "tokens": ' + json.dumps(tokens) + ',\n  "logits": [\n    ' + rows + "\n  ]\n}\n")


def write_config(path, c):
    with open(path, "w") as f:
        json.dump(c, f, indent=2, sort_keys=True)
        f.write("\n")


def write_single(d, weights, dtype):
    st.save_file(weights, os.path.join(d, "model.safetensors"), dtype=dtype, metadata={"format": "pt"})


def write_sharded(d, weights, dtype, n_layers):
    """Two shards: embeddings + first half of the layers | rest of the layers + norm + lm_head."""
    half = (n_layers + 1) // 2

    def shard_of(name):
        if name.startswith("model.layers."):
            return 0 if int(name.split(".")[2]) < half else 1
        return 0 if name.startswith("model.embed_tokens") else 1

    names = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    parts = [{}, {}]
    for k, v in weights.items():
        parts[shard_of(k)][k] = v
    weight_map = {}
    total = 0
    for idx, part in enumerate(parts):
        assert part, "empty shard"
        st.save_file(part, os.path.join(d, names[idx]), dtype=dtype, metadata={"format": "pt"})
        for k, v in part.items():
            weight_map[k] = names[idx]
            total += st.tensor_nbytes(v, dtype)
    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump(index, f, indent=2)
        f.write("\n")


def build_case(name, config, seed, n_tokens, dtype, sharded=False, **wkw):
    d = os.path.join(OUT, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    assert config["torch_dtype"] == TORCH_DTYPE[dtype]
    weights = make_weights(config, seed, **wkw)
    write_config(os.path.join(d, "config.json"), config)
    if sharded:
        write_sharded(d, weights, dtype, config["num_hidden_layers"])
    else:
        write_single(d, weights, dtype)

    # reference logits from the weights as STORED (read back from disk)
    stored = st.load_model_dir(d)
    assert set(stored) == set(weights)
    for k in weights:
        assert np.array_equal(stored[k].astype(np.float64), st.round_to_dtype(weights[k], dtype)), k
    if dtype != "F32":
        assert any(not np.array_equal(stored[k].astype(np.float64), weights[k].astype(np.float64))
                   for k in weights), "reduced dtype should change values"
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    tokens = make_tokens(seed + 1000, n_tokens, config["vocab_size"])
    logits = ref.forward(cfg, stored, tokens)
    assert logits.shape == (n_tokens, config["vocab_size"])
    assert np.all(np.isfinite(logits)), name
    assert logits.std() > 0.5, (name, logits.std())  # clearly non-trivial
    # logits should vary over positions (attention does something)
    assert np.abs(np.diff(logits, axis=0)).max() > 0.5
    write_expected(os.path.join(d, "expected.json"), tokens, logits)
    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    assert size < 200 * 1024, (name, size)
    print(f"{name:24s} dtype={dtype:4s} T={n_tokens:2d} logits std={logits.std():.3f} "
          f"absmax={np.abs(logits).max():.3f} bytes={size}")
    return cfg, stored, tokens, logits


def differs(a, b, thr=1e-3):
    return float(np.abs(a - b).max()) > thr


# ------------------------------------------------------------------------------------------- cases
def main():
    os.makedirs(OUT, exist_ok=True)

    # 1. llama: F32, untied, no head_dim in config (-> hidden/heads = 8), default rope
    build_case("llama", llama_config(), seed=11, n_tokens=16, dtype="F32")

    # 2. llama3-rope-scaling: head_dim 8 -> 4 frequencies (wavelengths 6.3, 167, 4443, 1.2e5);
    #    theta 5e5; original_max_position_embeddings 256 -> high_freq_wavelen 64, low_freq_wavelen 256
    #    -> categories [kept, smoothed, scaled, scaled]
    omp = 256
    rs = {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
          "original_max_position_embeddings": omp, "rope_type": "llama3"}
    c = llama_config(head_dim=8, max_position_embeddings=8 * omp, rope_theta=500000.0, rope_scaling=rs,
                     bos_token_id=0, eos_token_id=[1, 2], vocab_size=72)
    inv = ref.compute_default_inv_freq(500000.0, 8)
    cats = ref.llama3_categories(inv, 1.0, 4.0, float(omp))
    assert {"kept", "scaled", "smoothed"} <= set(cats), cats
    # no frequency sits near a category boundary (float32 vs float64 inv_freq cannot flip a category)
    wl = 2 * math.pi / inv
    for b in (omp / 1.0, omp / 4.0):
        assert np.min(np.abs(wl - b) / b) > 0.01
    cfg, W, toks, lg = build_case("llama3-rope-scaling", c, seed=22, n_tokens=16, dtype="F32")
    plain = dict(cfg, rope_scaling=None)
    assert differs(ref.forward(plain, W, toks), lg, 1e-2), "llama3 scaling must matter"
    print("   llama3 frequency categories:", cats)

    # 3. mistral-sliding: window 5 over 14 tokens
    cfg, W, toks, lg = build_case("mistral-sliding", mistral_config(sliding_window=5), seed=33,
                                  n_tokens=14, dtype="F32")
    nowin = ref.forward(dict(cfg, sliding_window=None), W, toks)
    assert differs(nowin, lg, 1e-2), "sliding window must matter"
    assert np.allclose(nowin[:5], lg[:5], atol=1e-12), "positions < window are unaffected"
    assert differs(nowin[5:], lg[5:], 1e-2)
    # off-by-one guard: window 4 and window 6 must both give different logits
    assert differs(ref.forward(dict(cfg, sliding_window=4), W, toks), lg, 1e-2)
    assert differs(ref.forward(dict(cfg, sliding_window=6), W, toks), lg, 1e-2)

    # 4. mistral-bf16-sharded: BF16 weights in two shards with index, no sliding window
    c = mistral_config(torch_dtype="bfloat16", vocab_size=64, rope_theta=10000.0)
    cfg, W, toks, lg = build_case("mistral-bf16-sharded", c, seed=44, n_tokens=12, dtype="BF16", sharded=True)

    # 5. qwen2: F16, q/k/v biases, tied embeddings (no lm_head tensor), sliding window configured but disabled
    cfg, W, toks, lg = build_case("qwen2", qwen2_config(), seed=55, n_tokens=15, dtype="F16")
    assert "lm_head.weight" not in W
    assert all(f"model.layers.{i}.self_attn.{n}.bias" in W for i in range(2) for n in ("q_proj", "k_proj", "v_proj"))
    assert not any(k.endswith("o_proj.bias") for k in W)
    assert differs(ref.forward(dict(cfg, use_sliding_window=True), W, toks), lg, 1e-2), \
        "enabling the (inactive) sliding window would change results -> fixture catches engines that ignore use_sliding_window"
    nob = {k: v for k, v in W.items() if not k.endswith(".bias")}
    assert differs(ref.forward(cfg, nob, toks), lg, 1e-2), "biases must matter"

    # 6. gemma2: head_dim 16 != 32/4, query_pre_attn_scalar 24, both softcaps, window 4 on layers 0 and 2
    cfg, W, toks, lg = build_case("gemma2", gemma2_config(intermediate_size=48, vocab_size=64), seed=66, n_tokens=13, dtype="F32",
                                  emb_std=0.3)
    assert ref.layer_sliding_windows(cfg) == [4, None, 4]
    assert differs(ref.forward(dict(cfg, sliding_window=None), W, toks), lg, 1e-2), "window must matter"
    assert differs(ref.forward(dict(cfg, attn_logit_softcapping=None), W, toks), lg, 1e-2), "attn softcap must matter"
    assert differs(ref.forward(dict(cfg, final_logit_softcapping=None), W, toks), lg, 1e-2), "final softcap must matter"
    assert np.abs(lg).max() < 3.0
    # wrong parity (odd layers sliding) must be detectable
    wrong = dict(cfg, layer_types=["full_attention", "sliding_attention", "full_attention"])
    assert differs(ref.forward(wrong, W, toks), lg, 1e-2), "sliding-layer parity must matter"
    assert differs(ref.forward(dict(cfg, query_pre_attn_scalar=16), W, toks), lg, 1e-2)

    print("all fixture self-checks passed")


if __name__ == "__main__":
    main()
