"""Plain-assert unit checks of the numpy reference. Run: python3 tools/reference/test_reference.py"""
import math
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_reference as ref  # noqa: E402
import safetensors_np as st  # noqa: E402


def tiny_config(model_type="llama", **kw):
    c = {"model_type": model_type, "vocab_size": 40, "hidden_size": 16, "intermediate_size": 24,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
         "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": False, "hidden_act": "silu"}
    c.update(kw)
    return c


def random_weights(c, seed=0, std=0.4):
    rng = np.random.default_rng(seed)
    H, KV, D = c["num_attention_heads"], c["num_key_value_heads"], ref.head_dim_of(c)
    h, f, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    gemma = c["model_type"] == "gemma2"
    w = {"model.embed_tokens.weight": rng.normal(0, std, (V, h)),
         "model.norm.weight": rng.normal(0 if gemma else 1, 0.1, h)}
    if not c.get("tie_word_embeddings", gemma):
        w["lm_head.weight"] = rng.normal(0, std, (V, h))
    norms = ["input_layernorm", "post_attention_layernorm"]
    if gemma:
        norms += ["pre_feedforward_layernorm", "post_feedforward_layernorm"]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        for n, shape in [("self_attn.q_proj", (H * D, h)), ("self_attn.k_proj", (KV * D, h)),
                         ("self_attn.v_proj", (KV * D, h)), ("self_attn.o_proj", (h, H * D)),
                         ("mlp.gate_proj", (f, h)), ("mlp.up_proj", (f, h)), ("mlp.down_proj", (h, f))]:
            w[p + n + ".weight"] = rng.normal(0, std, shape)
        for n in norms:
            w[p + n + ".weight"] = rng.normal(0 if gemma else 1, 0.1, h)
    return w


def test_rmsnorm_hand_computed():
    x = np.array([1.0, 2.0, 3.0])
    w = np.array([0.5, 1.0, 2.0])
    eps = 1e-6
    # mean(x^2) = (1+4+9)/3 = 14/3 ; rsqrt(14/3 + 1e-6)
    r = 1.0 / math.sqrt(14.0 / 3.0 + eps)
    expected = np.array([1.0 * r * 0.5, 2.0 * r * 1.0, 3.0 * r * 2.0])
    assert np.allclose(ref.rms_norm(x, w, eps), expected, rtol=1e-14, atol=0)
    assert np.allclose(expected, [0.23145502, 0.92582010, 2.77746029], atol=1e-8)
    # Gemma variant multiplies by (1 + w)
    exp_g = np.array([1.0 * r * 1.5, 2.0 * r * 2.0, 3.0 * r * 3.0])
    assert np.allclose(ref.rms_norm(x, w, eps, gemma=True), exp_g, rtol=1e-14, atol=0)


def test_causal_property():
    for mt, extra in [("llama", {}), ("mistral", {"sliding_window": 3}),
                      ("qwen2", {}),
                      ("gemma2", {"head_dim": 8, "query_pre_attn_scalar": 6, "sliding_window": 3,
                                  "attn_logit_softcapping": 2.0, "final_logit_softcapping": 3.0,
                                  "hidden_activation": "gelu_pytorch_tanh", "tie_word_embeddings": True})]:
        c = tiny_config(mt, **extra)
        w = random_weights(c, seed=1)
        if mt == "qwen2":
            rng = np.random.default_rng(5)
            for i in range(c["num_hidden_layers"]):
                for n, size in [("q_proj", 16), ("k_proj", 8), ("v_proj", 8)]:
                    w[f"model.layers.{i}.self_attn.{n}.bias"] = rng.normal(0, 0.3, size)
        toks = [3, 17, 5, 9, 22, 1, 30, 8, 11, 2]
        a = ref.forward(c, w, toks)
        for t in range(1, len(toks)):
            toks2 = toks[:t] + [(x + 7) % c["vocab_size"] for x in toks[t:]]
            b = ref.forward(c, w, toks2)
            assert np.allclose(a[:t], b[:t], rtol=0, atol=1e-12), (mt, t)
            assert not np.allclose(a[t], b[t]), (mt, t)
        # prefix forward equals the corresponding rows of the full forward
        assert np.allclose(ref.forward(c, w, toks[:4]), a[:4], atol=1e-12)


def test_rope_relative_position():
    rng = np.random.default_rng(2)
    D = 16
    for cfg in [{"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "rope_theta": 10000.0},
                {"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "rope_theta": 500000.0,
                 "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                  "high_freq_factor": 4.0, "original_max_position_embeddings": 64}}]:
        inv = ref.inv_freq_of(cfg)
        assert inv.shape == (D // 2,)
        q = rng.normal(size=D)
        k = rng.normal(size=D)
        pos = np.arange(40)
        cos, sin = ref.rope_cos_sin(inv, pos)

        def rot(v, p):
            return ref.apply_rope(v[None, None, :], cos[p:p + 1], sin[p:p + 1])[0, 0]

        for delta in [0, 1, 5, 13]:
            vals = [rot(q, m + delta) @ rot(k, m) for m in range(0, 40 - delta, 3)]
            assert np.allclose(vals, vals[0], atol=1e-10), (delta, vals)
        # norm preserving
        assert np.isclose(np.linalg.norm(rot(q, 7)), np.linalg.norm(q))
        # position 0 is identity
        assert np.allclose(rot(q, 0), q)
        # rotate_half convention: pairs are (i, i + D/2), not interleaved
        e = np.zeros(D)
        e[0] = 1.0
        r = rot(e, 1)
        assert np.isclose(r[0], math.cos(inv[0])) and np.isclose(r[D // 2], math.sin(inv[0]))
        assert np.allclose(np.delete(r, [0, D // 2]), 0)


def test_gqa_equals_mha_when_kv_heads_equal_heads():
    c = tiny_config("llama", num_key_value_heads=4)
    w = random_weights(c, seed=3)
    toks = [1, 2, 3, 4, 5, 6, 7]
    got = ref.forward(c, w, toks)

    # independent plain multi-head attention implementation (loop over heads / positions)
    W = w
    T, H, D, h = len(toks), 4, 4, 16
    x = W["model.embed_tokens.weight"][toks]
    inv = 1.0 / (10000.0 ** (np.arange(0, D, 2) / D))
    for i in range(2):
        p = f"model.layers.{i}."
        hn = x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-5) * W[p + "input_layernorm.weight"]
        q = hn @ W[p + "self_attn.q_proj.weight"].T
        k = hn @ W[p + "self_attn.k_proj.weight"].T
        v = hn @ W[p + "self_attn.v_proj.weight"].T
        out = np.zeros((T, H * D))
        for head in range(H):
            sl = slice(head * D, (head + 1) * D)
            qs, ks, vs = q[:, sl].copy(), k[:, sl].copy(), v[:, sl]
            for t in range(T):
                ang = t * inv
                for m in range(D // 2):  # rotate pair (m, m + D/2)
                    for arr in (qs, ks):
                        a, b = arr[t, m], arr[t, m + D // 2]
                        arr[t, m] = a * math.cos(ang[m]) - b * math.sin(ang[m])
                        arr[t, m + D // 2] = b * math.cos(ang[m]) + a * math.sin(ang[m])
            for t in range(T):
                s = np.array([qs[t] @ ks[j] / math.sqrt(D) for j in range(t + 1)])
                pr = np.exp(s - s.max())
                pr /= pr.sum()
                out[t, sl] = pr @ vs[:t + 1]
        x = x + out @ W[p + "self_attn.o_proj.weight"].T
        hn = x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-5) * W[p + "post_attention_layernorm.weight"]
        g = hn @ W[p + "mlp.gate_proj.weight"].T
        u = hn @ W[p + "mlp.up_proj.weight"].T
        x = x + (g / (1 + np.exp(-g)) * u) @ W[p + "mlp.down_proj.weight"].T
    x = x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-5) * W["model.norm.weight"]
    expected = x @ W["lm_head.weight"].T
    assert np.allclose(got, expected, atol=1e-10), np.abs(got - expected).max()

    # GQA with kv_heads=2 equals MHA with each kv head duplicated for its group (repeat_kv order)
    c2 = tiny_config("llama", num_key_value_heads=2)
    w2 = random_weights(c2, seed=4)
    w4 = dict(w2)
    for i in range(2):
        for n in ("k_proj", "v_proj"):
            key = f"model.layers.{i}.self_attn.{n}.weight"
            blocks = w2[key].reshape(2, 4, 16)  # [kv_head, D, hidden]
            w4[key] = np.repeat(blocks, 2, axis=0).reshape(16, 16)  # heads 0,1 <- kv0 ; 2,3 <- kv1
    a = ref.forward(c2, w2, toks)
    b = ref.forward(tiny_config("llama", num_key_value_heads=4), w4, toks)
    assert np.allclose(a, b, atol=1e-12)


def test_sliding_window_mask():
    m = ref.attention_mask(6, 3)
    for i in range(6):
        for j in range(6):
            assert m[i, j] == (j <= i and i - j < 3)
    assert ref.attention_mask(6, None).sum() == 21


def test_llama3_rope_formula():
    inv = ref.compute_default_inv_freq(500000.0, 12)
    out = ref.llama3_inv_freq(inv, 8.0, 1.0, 4.0, 1024.0)
    cats = ref.llama3_categories(inv, 1.0, 4.0, 1024.0)
    for f0, f1, cat in zip(inv, out, cats):
        wl = 2 * math.pi / f0
        if cat == "kept":
            assert f1 == f0 and wl < 256
        elif cat == "scaled":
            assert np.isclose(f1, f0 / 8) and wl > 1024
        else:
            s = (1024 / wl - 1) / 3
            assert np.isclose(f1, (1 - s) * f0 / 8 + s * f0)
    assert set(cats) == {"kept", "scaled", "smoothed"}


def test_safetensors_roundtrip():
    rng = np.random.default_rng(7)
    t = {"a": rng.normal(size=(3, 5)).astype(np.float32), "b": rng.normal(size=(7,)).astype(np.float32)}
    with tempfile.TemporaryDirectory() as d:
        for dt in ("F32", "F16", "BF16"):
            path = os.path.join(d, f"x_{dt}.safetensors")
            st.save_file(t, path, dtype=dt)
            raw = open(path, "rb").read()
            n = int.from_bytes(raw[:8], "little")
            assert (8 + n) % 8 == 0
            back, header = st.load_file(path)
            assert header["__metadata__"] == {"format": "pt"}
            for k in t:
                assert back[k].shape == t[k].shape
                assert np.array_equal(back[k].astype(np.float64), st.round_to_dtype(t[k], dt))
    # BF16 round-to-nearest-even on exact ties
    vals = np.array([1.0 + 2 ** -8, 1.0 + 3 * 2 ** -8, -(1.0 + 2 ** -8), 1.0 + 2 ** -8 + 2 ** -20], dtype=np.float32)
    got = st.bf16_bits_to_float32(st.float32_to_bf16_bits(vals))
    assert got.tolist() == [1.0, 1.0 + 4 * 2 ** -8, -1.0, 1.0 + 2 * 2 ** -8], got.tolist()
    assert st.float32_to_bf16_bits(np.array([1.0], np.float32))[0] == 0x3F80


if __name__ == "__main__":
    tests = [v for k, v in sorted(globals().items()) if k.startswith("test_") and callable(v)]
    for fn in tests:
        fn()
        print("ok", fn.__name__)
    print(f"all {len(tests)} reference checks passed")
