package dev.zhyper.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import dev.zhyper.core.io.WeightSource;
import dev.zhyper.core.nn.Casts;
import dev.zhyper.core.nn.Parameter;
import dev.zhyper.core.nn.ParameterSet;
import dev.zhyper.core.nn.Tensors;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * A pre-norm decoder-only transformer (Llama, Mistral, Qwen2, Gemma-2) with grouped-query attention, RoPE and a
 * gated MLP, whose projections accept a per-row low-rank update ({@link ProjectionDelta}). The base weights are
 * frozen; every forward call creates its intermediates in the caller's {@link NDManager}.
 */
public final class DecoderModel implements AutoCloseable {
    private static final float MASKED = -1e30f;

    private final ModelConfig config;
    private final ModelOptions options;
    private final NDManager manager;
    private final ParameterSet parameters = new ParameterSet();
    private final RotaryEmbedding rope;
    private final NDArray embed;
    private final NDArray lmHead;
    private final NDArray finalNorm;
    private final Layer[] layers;
    /** 0-d constants of the forward pass, made once (never Java numbers in ops: ADR 0005). */
    private final NDArray rmsEps;
    private final NDArray attentionScale;

    /** Weights of one decoder layer; norms are stored as effective multipliers (Gemma's 1+w folded in). */
    private record Layer(Map<TargetModule, NDArray> weight, Map<TargetModule, NDArray> bias,
                         NDArray inputNorm, NDArray postAttnNorm, NDArray preFfnNorm, NDArray postFfnNorm) {}

    private DecoderModel(ModelConfig config, ModelOptions options, NDManager manager, WeightSource w) {
        this.config = config;
        this.options = options;
        this.manager = manager;
        int d = config.hiddenSize();
        this.embed = load(w, "model.embed_tokens.weight", config.vocabSize(), d);
        this.lmHead = config.tieWordEmbeddings() ? embed : load(w, "lm_head.weight", config.vocabSize(), d);
        this.finalNorm = loadNorm(w, "model.norm.weight");
        this.layers = new Layer[config.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "model.layers." + l + ".";
            Map<TargetModule, NDArray> weight = new EnumMap<>(TargetModule.class);
            Map<TargetModule, NDArray> bias = new EnumMap<>(TargetModule.class);
            for (TargetModule m : TargetModule.values()) {
                weight.put(m, load(w, p + m.path() + ".weight", config.outDim(m), config.inDim(m)));
                if (hasBias(m)) {
                    bias.put(m, load(w, p + m.path() + ".bias", config.outDim(m)));
                }
            }
            boolean sandwich = config.sandwichNorms();
            layers[l] = new Layer(weight, bias, loadNorm(w, p + "input_layernorm.weight"),
                    loadNorm(w, p + "post_attention_layernorm.weight"),
                    sandwich ? loadNorm(w, p + "pre_feedforward_layernorm.weight") : null,
                    sandwich ? loadNorm(w, p + "post_feedforward_layernorm.weight") : null);
        }
        this.rope = new RotaryEmbedding(config, manager, options.dtype());
        this.rmsEps = Tensors.create(manager, new double[] {config.rmsNormEps()}, new Shape());
        this.attentionScale = Tensors.create(manager, new double[] {config.attentionScale()}, new Shape());
    }

    /** Loads a HF model directory (config.json + safetensors weights). */
    public static DecoderModel load(Path modelDir, ModelOptions options) {
        ModelConfig cfg = ModelConfig.load(modelDir);
        NDManager manager = NDManager.newBaseManager(options.device());
        try (WeightSource w = WeightSource.open(modelDir)) {
            return new DecoderModel(cfg, options, manager, w);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private boolean hasBias(TargetModule m) {
        return switch (m) {
            case Q_PROJ, K_PROJ, V_PROJ -> config.qkvBias();
            case O_PROJ -> config.oBias();
            default -> config.mlpBias();
        };
    }

    private NDArray load(WeightSource w, String name, long... shape) {
        float[] values = w.readFloats(name, shape);
        NDArray a = Tensors.create(manager, values, new Shape(shape)).toType(options.dtype(), false);
        parameters.add(new Parameter(name, a, false));
        return a;
    }

    private NDArray loadNorm(WeightSource w, String name) {
        float[] values = w.readFloats(name, config.hiddenSize());
        if (config.normWeightOffset()) {
            for (int i = 0; i < values.length; i++) {
                values[i] += 1f;
            }
        }
        NDArray a = Tensors.create(manager, values, new Shape(values.length)).toType(options.dtype(), false);
        parameters.add(new Parameter(name, a, false));
        return a;
    }

    public ModelConfig config() { return config; }

    public ModelOptions options() { return options; }

    public NDManager manager() { return manager; }

    /** The frozen base weights by HF name (norms as effective multipliers). */
    public ParameterSet parameters() { return parameters; }

    /** The base weight of a projection, [d_out, d_in]. */
    public NDArray projectionWeight(int layer, TargetModule module) { return layers[layer].weight().get(module); }

    /**
     * Adds ΔW [d_out, d_in] to a projection weight in place (merging an adapter for zero-overhead serving of a
     * single context, or for checking the on-the-fly path).
     */
    public void mergeIntoWeight(int layer, TargetModule module, NDArray delta) {
        NDArray w = layers[layer].weight().get(module);
        if (!w.getShape().equals(delta.getShape())) {
            throw new IllegalArgumentException("delta shape " + delta.getShape() + " does not match " + w.getShape());
        }
        w.addi(delta.toType(w.getDataType(), false));
    }

    /** What a forward pass computes beyond the default. */
    public record ForwardOptions(boolean lastPositionOnly, boolean training, float neftuneAlpha) {
        public static final ForwardOptions FULL = new ForwardOptions(false, false, 0f);
        public static final ForwardOptions LAST = new ForwardOptions(true, false, 0f);
    }

    /**
     * Runs the decoder on a batch and returns float32 logits [B, T, V] (or [B, 1, V] with lastPositionOnly).
     * With a cache, the input continues the cached sequence and the cache is extended.
     */
    public NDArray forward(NDManager m, DecoderInput in, KvCache cache, ProjectionDelta adapter, ForwardOptions opt) {
        NDArray hidden = hiddenStates(m, in, cache, adapter, opt);
        if (opt.lastPositionOnly() && in.length() > 1) {
            hidden = hidden.get(":, -1:, :");
        }
        NDArray logits = Casts.to(Linear.linear(hidden, lmHead).singletonOrThrow(), DataType.FLOAT32);
        if (config.finalLogitSoftcap() != null) {
            double c = config.finalLogitSoftcap();
            logits = Tensors.mul(Tensors.div(logits, c).tanh(), c);
        }
        return logits;
    }

    /** The final-normed hidden states [B, T, D] (compute dtype). */
    public NDArray hiddenStates(NDManager m, DecoderInput in, KvCache cache, ProjectionDelta adapter,
                                ForwardOptions opt) {
        int b = in.batchSize();
        int t = in.length();
        int past = cache == null ? 0 : cache.length();
        if (in.keyLength() != past + t) {
            throw new IllegalArgumentException("keyValid covers " + in.keyLength() + " keys but the cache holds "
                    + past + " and the input adds " + t);
        }
        NDArray ids = Tensors.create(m, flatten(in.tokens(), config.vocabSize()), new Shape(b, t));
        int maxPos = 0;
        long[] pos = new long[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                pos[i * t + j] = in.positions()[i][j];
                maxPos = Math.max(maxPos, in.positions()[i][j]);
            }
        }
        NDArray[] cosSin = rope.cosSin(Tensors.create(m, pos, new Shape(b, t)), maxPos);
        NDArray x = Embedding.embedding(ids, embed, SparseFormat.DENSE).singletonOrThrow();
        if (opt.training() && opt.neftuneAlpha() > 0) {
            // NEFTune: uniform noise in ±alpha/sqrt(L·d) on the input embeddings, during training only
            double mag = opt.neftuneAlpha() / Math.sqrt((double) t * config.hiddenSize());
            x = x.add(m.randomUniform((float) -mag, (float) mag, x.getShape(), x.getDataType()));
        }
        if (config.scalesEmbeddings()) {
            x = x.mul(Tensors.create(m, (float) Math.sqrt(config.hiddenSize())).toType(x.getDataType(), false));
        }
        NDArray fullMask = attentionMask(m, in, past, null);
        NDArray slidingMask = null;
        boolean slidingMade = false;
        for (int l = 0; l < layers.length; l++) {
            Layer layer = layers[l];
            Integer window = config.slidingWindowOf(l);
            NDArray mask = fullMask;
            if (window != null) {
                if (!slidingMade) {
                    slidingMask = attentionMask(m, in, past, window);
                    slidingMade = true;
                }
                mask = slidingMask;
            }
            ProjectionDelta delta = adapter == null ? ProjectionDelta.NONE : adapter;
            NDArray a = attention(l, layer, rmsNorm(x, layer.inputNorm()), cosSin, mask, cache, delta);
            if (config.sandwichNorms()) {
                a = rmsNorm(a, layer.postAttnNorm());
            }
            x = x.add(a);
            NDArray f = mlp(l, layer, rmsNorm(x, config.sandwichNorms() ? layer.preFfnNorm() : layer.postAttnNorm()),
                    delta);
            if (config.sandwichNorms()) {
                f = rmsNorm(f, layer.postFfnNorm());
            }
            x = x.add(f);
        }
        return rmsNorm(x, finalNorm);
    }

    private NDArray project(int l, Layer layer, TargetModule module, NDArray x, ProjectionDelta delta) {
        NDArray bias = layer.bias().get(module);
        NDArray w = layer.weight().get(module);
        NDArray y = (bias == null ? Linear.linear(x, w) : Linear.linear(x, w, bias)).singletonOrThrow();
        if (delta.adapts(l, module)) {
            y = y.add(delta.delta(l, module, x));
        }
        return y;
    }

    private NDArray attention(int l, Layer layer, NDArray h, NDArray[] cosSin, NDArray mask, KvCache cache,
                              ProjectionDelta delta) {
        Shape s = h.getShape();
        long b = s.get(0);
        long t = s.get(1);
        int heads = config.numHeads();
        int kv = config.numKvHeads();
        int hd = config.headDim();
        int g = config.groupSize();
        NDArray q = heads(project(l, layer, TargetModule.Q_PROJ, h, delta), b, t, heads, hd);
        NDArray k = heads(project(l, layer, TargetModule.K_PROJ, h, delta), b, t, kv, hd);
        NDArray v = heads(project(l, layer, TargetModule.V_PROJ, h, delta), b, t, kv, hd);
        q = rope.apply(q, cosSin);
        NDArray kT = rope.apply(k, cosSin).transpose(0, 1, 3, 2);
        if (cache != null) {
            NDArray[] full = cache.append(l, kT, v);
            kT = full[0];
            v = full[1];
        }
        long keys = v.getShape().get(2);
        // grouped-query attention without copying K/V: the G query heads sharing a KV head are stacked along time
        NDArray scores = Casts.to(q.reshape(b, kv, g * t, hd).matMul(kT), DataType.FLOAT32).muli(attentionScale);
        if (config.attnLogitSoftcap() != null) {
            double c = config.attnLogitSoftcap();
            scores = Tensors.mul(Tensors.div(scores, c).tanh(), c); // out of place: tanh keeps its output for backward
        }
        NDArray grouped = scores.reshape(b, kv, g, t, keys);
        if (mask != null) {
            grouped = grouped.addi(mask);
        }
        NDArray probs = Casts.to(grouped.softmax(-1), h.getDataType()).reshape(b, kv, g * t, keys);
        NDArray ctx = probs.matMul(v);
        // [B, H, T, hd] -> [B, T, H·hd]; with one new token the head axis is already in place
        ctx = t == 1 ? ctx.reshape(b, 1, (long) heads * hd)
                : ctx.reshape(b, heads, t, hd).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * hd);
        return project(l, layer, TargetModule.O_PROJ, ctx, delta);
    }

    /** [B, T, n·hd] -> [B, n, T, hd] (a reshape alone when T = 1). */
    private static NDArray heads(NDArray y, long b, long t, int n, int hd) {
        return t == 1 ? y.reshape(b, n, 1, hd) : y.reshape(b, t, n, hd).transpose(0, 2, 1, 3);
    }

    private NDArray mlp(int l, Layer layer, NDArray h, ProjectionDelta delta) {
        NDArray gate = config.activation().apply(project(l, layer, TargetModule.GATE_PROJ, h, delta));
        NDArray up = project(l, layer, TargetModule.UP_PROJ, h, delta);
        return project(l, layer, TargetModule.DOWN_PROJ, gate.muli(up), delta);
    }

    /** x / sqrt(mean(x²) + eps), computed in float32 (at least), times the effective norm weight. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        DataType dt = x.getDataType();
        NDArray xf = dt == DataType.FLOAT32 || dt == DataType.FLOAT64 ? x : Casts.to(x, DataType.FLOAT32);
        NDArray inv = xf.mul(xf).mean(new int[] {-1}, true).addi(rmsEps).sqrt();
        return Casts.to(xf.div(inv), dt).muli(weight);
    }

    /** Additive mask [B, 1, 1, T, S]: causal, padding and (optionally) sliding window; null when no key is masked. */
    private NDArray attentionMask(NDManager m, DecoderInput in, int past, Integer window) {
        int b = in.batchSize();
        int t = in.length();
        int s = in.keyLength();
        float[] mask = new float[b * t * s];
        boolean any = false;
        for (int i = 0; i < b; i++) {
            boolean[] valid = in.keyValid()[i];
            for (int q = 0; q < t; q++) {
                int qi = past + q;
                int base = (i * t + q) * s;
                for (int k = 0; k < s; k++) {
                    boolean allowed = k <= qi && valid[k] && (window == null || qi - k < window);
                    mask[base + k] = allowed ? 0f : MASKED;
                    any |= !allowed;
                }
            }
        }
        return any ? Tensors.create(m, mask, new Shape(b, 1, 1, t, s)) : null;
    }

    private static long[] flatten(int[][] rows, int vocab) {
        int t = rows[0].length;
        long[] out = new long[rows.length * t];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < t; j++) {
                int id = rows[i][j];
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocab + ")");
                }
                out[i * t + j] = id;
            }
        }
        return out;
    }

    @Override
    public void close() { manager.close(); }
}
