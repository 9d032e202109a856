package dev.zhyper.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.core.io.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The shape and numerics of a decoder, read from a Hugging Face {@code config.json}.
 * Differences between families are expressed as fields and derived traits here, never as copies of the forward pass.
 */
public record ModelConfig(
        Family family,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositions,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean mlpBias,
        Integer slidingWindow,
        Double attnLogitSoftcap,
        Double finalLogitSoftcap,
        Double queryPreAttnScalar,
        String hiddenAct,
        Integer bosTokenId,
        Integer eosTokenId,
        String torchDtype,
        ObjectNode raw) {

    /** llama3-style rope frequency scaling; {@code null} in {@link ModelConfig#ropeScaling()} when absent. */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                              int originalMaxPositions) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static ModelConfig load(Path modelDir) {
        Path file = Files.isDirectory(modelDir) ? modelDir.resolve("config.json") : modelDir;
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException(file, "config.json not found");
        }
        JsonNode node;
        try {
            node = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file, "config.json is not valid JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new ModelFormatException(file, "config.json is not a JSON object");
        }
        return parse(file, (ObjectNode) node);
    }

    public static ModelConfig parse(Path file, ObjectNode n) {
        String type = text(n, "model_type", null);
        if (type == null) {
            throw new ModelFormatException(file, "config.json has no model_type");
        }
        Family family = Family.fromModelType(type).orElseThrow(() -> new ModelFormatException(file,
                "unsupported architecture model_type='" + type + "' (supported: llama, mistral, qwen2, gemma2)"));
        int hidden = positive(file, n, "hidden_size");
        int heads = positive(file, n, "num_attention_heads");
        int kvHeads = n.has("num_key_value_heads") && !n.get("num_key_value_heads").isNull()
                ? positive(file, n, "num_key_value_heads") : heads;
        if (heads % kvHeads != 0) {
            throw new ModelFormatException(file, "num_attention_heads " + heads
                    + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        int headDim = n.has("head_dim") && !n.get("head_dim").isNull() ? positive(file, n, "head_dim") : hidden / heads;
        if (headDim % 2 != 0) {
            throw new ModelFormatException(file, "head_dim " + headDim + " must be even for rotary embeddings");
        }
        RopeScaling scaling = null;
        JsonNode rs = n.get("rope_scaling");
        if (rs != null && rs.isObject()) {
            String rt = text(rs, "rope_type", text(rs, "type", "default"));
            if (rt.equals("llama3")) {
                scaling = new RopeScaling("llama3", rs.path("factor").asDouble(8.0),
                        rs.path("low_freq_factor").asDouble(1.0), rs.path("high_freq_factor").asDouble(4.0),
                        rs.path("original_max_position_embeddings").asInt(8192));
            } else if (!rt.equals("default")) {
                throw new ModelFormatException(file, "unsupported rope_scaling type '" + rt + "' (supported: llama3)");
            }
        }
        Integer window = null;
        if (n.hasNonNull("sliding_window")) {
            boolean use = family != Family.QWEN2 || n.path("use_sliding_window").asBoolean(false);
            if (use) {
                window = n.get("sliding_window").asInt();
            }
        }
        boolean tie = n.path("tie_word_embeddings").asBoolean(family.tiesEmbeddingsByDefault());
        String act = text(n, "hidden_activation", text(n, "hidden_act", family == Family.GEMMA2 ? "gelu_pytorch_tanh" : "silu"));
        return new ModelConfig(family,
                positive(file, n, "vocab_size"), hidden, positive(file, n, "intermediate_size"),
                positive(file, n, "num_hidden_layers"), heads, kvHeads, headDim,
                n.path("rms_norm_eps").asDouble(1e-6), n.path("rope_theta").asDouble(10000.0), scaling,
                n.path("max_position_embeddings").asInt(4096), tie,
                n.path("attention_bias").asBoolean(false), n.path("mlp_bias").asBoolean(false), window,
                optDouble(n, "attn_logit_softcapping"), optDouble(n, "final_logit_softcapping"),
                optDouble(n, "query_pre_attn_scalar"), act,
                optInt(n, "bos_token_id"), optInt(n, "eos_token_id"), text(n, "torch_dtype", "float32"), n);
    }

    // ---- derived traits -------------------------------------------------------------------------------

    /** Query heads per key/value head (grouped-query attention). */
    public int groupSize() { return numHeads / numKvHeads; }

    public int qDim() { return numHeads * headDim; }

    public int kvDim() { return numKvHeads * headDim; }

    /** Gemma stores RMSNorm weights as offsets from one: x̂·(1+w). */
    public boolean normWeightOffset() { return family == Family.GEMMA2; }

    /** Gemma multiplies the input embeddings by sqrt(hidden_size). */
    public boolean scalesEmbeddings() { return family == Family.GEMMA2; }

    /** Gemma-2 wraps both sublayers in pre and post norms. */
    public boolean sandwichNorms() { return family == Family.GEMMA2; }

    /** Qwen2 has biases on q, k and v (not o); llama-style models when attention_bias is set on all four. */
    public boolean qkvBias() { return family == Family.QWEN2 || attentionBias; }

    public boolean oBias() { return family != Family.QWEN2 && attentionBias; }

    /** Softmax scale applied to q·k. */
    public double attentionScale() {
        return 1.0 / Math.sqrt(queryPreAttnScalar != null ? queryPreAttnScalar : headDim);
    }

    /**
     * The sliding window of a layer, or {@code null} for full causal attention. An explicit {@code layer_types}
     * list decides when present; otherwise Gemma-2 alternates with even layers sliding, Mistral slides everywhere.
     */
    public Integer slidingWindowOf(int layer) {
        if (slidingWindow == null) {
            return null;
        }
        JsonNode types = raw == null ? null : raw.get("layer_types");
        if (types != null && types.isArray() && layer < types.size()) {
            return "sliding_attention".equals(types.get(layer).asText()) ? slidingWindow : null;
        }
        if (family == Family.GEMMA2) {
            return layer % 2 == 0 ? slidingWindow : null;
        }
        return slidingWindow;
    }

    public Activation activation() {
        return switch (hiddenAct.toLowerCase(Locale.ROOT)) {
            case "silu", "swish" -> Activation.SILU;
            case "gelu_pytorch_tanh", "gelu_tanh", "gelu_new" -> Activation.GELU_TANH;
            case "gelu" -> Activation.GELU;
            default -> throw new IllegalArgumentException("unsupported hidden_act '" + hiddenAct + "'");
        };
    }

    /** Input and output width of a projection. */
    public int inDim(TargetModule m) {
        return switch (m) {
            case Q_PROJ, K_PROJ, V_PROJ, GATE_PROJ, UP_PROJ -> hiddenSize;
            case O_PROJ -> qDim();
            case DOWN_PROJ -> intermediateSize;
        };
    }

    public int outDim(TargetModule m) {
        return switch (m) {
            case Q_PROJ -> qDim();
            case K_PROJ, V_PROJ -> kvDim();
            case O_PROJ, DOWN_PROJ -> hiddenSize;
            case GATE_PROJ, UP_PROJ -> intermediateSize;
        };
    }

    /** Rough parameter count of the base model (for reports). */
    public long baseParameterCount() {
        long perLayer = 0;
        for (TargetModule m : TargetModule.values()) {
            perLayer += (long) inDim(m) * outDim(m);
        }
        perLayer += (long) hiddenSize * (sandwichNorms() ? 4 : 2);
        long embed = (long) vocabSize * hiddenSize;
        return perLayer * numLayers + embed * (tieWordEmbeddings ? 1 : 2) + hiddenSize;
    }

    // ---- JSON helpers ----------------------------------------------------------------------------------

    private static String text(JsonNode n, String key, String dflt) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? dflt : v.asText();
    }

    private static int positive(Path file, JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull() || !v.canConvertToInt() || v.asInt() <= 0) {
            throw new ModelFormatException(file, "config.json: '" + key + "' must be a positive integer, found " + v);
        }
        return v.asInt();
    }

    private static Double optDouble(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asDouble();
    }

    private static Integer optInt(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isArray()) {
            return v.size() > 0 ? v.get(0).asInt() : null;
        }
        return v.asInt();
    }
}
