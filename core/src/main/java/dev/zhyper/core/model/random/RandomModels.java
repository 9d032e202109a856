package dev.zhyper.core.model.random;

import dev.zhyper.core.model.TargetModule;
import dev.zhyper.core.model.ModelConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.core.io.TensorData;
import dev.zhyper.core.io.SafeTensorsWriter;
import dev.zhyper.core.text.TokenizerJsonBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes randomly initialised Llama-architecture models as real HF directories (config.json, model.safetensors
 * and, with an alphabet, a character-level tokenizer.json). Used by tests, benchmarks and as the starting point
 * of the project's own small base model.
 */
public final class RandomModels {
    private RandomModels() {}

    /** Shape of a Llama-style model. */
    public record LlamaShape(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                             int numKvHeads, int maxPositions) {

        /** A model of about 100M parameters (the benchmark model). */
        public static LlamaShape base100m() { return new LlamaShape(32000, 768, 2048, 12, 12, 4, 2048); }

        /** A tiny model for unit tests. */
        public static LlamaShape tiny(int vocab) { return new LlamaShape(vocab, 32, 64, 2, 4, 2, 256); }
    }

    public static final List<String> SPECIAL_TOKENS = List.of("<pad>", "<s>", "</s>", "<unk>");

    /**
     * Writes a random model.
     *
     * @param alphabet when non-null, a character-level tokenizer over it is written and the vocabulary is
     *                 {@code SPECIAL_TOKENS + alphabet} (shape.vocabSize is then ignored)
     */
    public static Path writeLlama(Path dir, LlamaShape shape, String alphabet, long seed) {
        try {
            Files.createDirectories(dir);
            int vocab = shape.vocabSize();
            if (alphabet != null) {
                vocab = TokenizerJsonBuilder.charLevelVocab(SPECIAL_TOKENS, alphabet).size();
                TokenizerJsonBuilder.writeCharLevel(dir.resolve("tokenizer.json"), SPECIAL_TOKENS, alphabet);
                TokenizerJsonBuilder.writeTokenizerConfig(dir.resolve("tokenizer_config.json"), "<s>", "</s>", "<pad>",
                        true);
            }
            ObjectNode cfg = new ObjectMapper().createObjectNode();
            cfg.putArray("architectures").add("LlamaForCausalLM");
            cfg.put("model_type", "llama");
            cfg.put("vocab_size", vocab);
            cfg.put("hidden_size", shape.hiddenSize());
            cfg.put("intermediate_size", shape.intermediateSize());
            cfg.put("num_hidden_layers", shape.numLayers());
            cfg.put("num_attention_heads", shape.numHeads());
            cfg.put("num_key_value_heads", shape.numKvHeads());
            cfg.put("max_position_embeddings", shape.maxPositions());
            cfg.put("rms_norm_eps", 1e-5);
            cfg.put("rope_theta", 10000.0);
            cfg.put("tie_word_embeddings", true);
            cfg.put("hidden_act", "silu");
            cfg.put("torch_dtype", "float32");
            cfg.put("pad_token_id", 0);
            cfg.put("bos_token_id", 1);
            cfg.put("eos_token_id", 2);
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), cfg);
            ModelConfig c = ModelConfig.load(dir);
            SplittableRandom rng = new SplittableRandom(seed);
            List<TensorData> tensors = new ArrayList<>();
            tensors.add(normal("model.embed_tokens.weight", rng, 0.02 * 10, vocab, shape.hiddenSize()));
            for (int l = 0; l < c.numLayers(); l++) {
                String p = "model.layers." + l + ".";
                for (TargetModule m : TargetModule.values()) {
                    double std = 1.0 / Math.sqrt(c.inDim(m));
                    tensors.add(normal(p + m.path() + ".weight", rng, std, c.outDim(m), c.inDim(m)));
                }
                tensors.add(ones(p + "input_layernorm.weight", c.hiddenSize()));
                tensors.add(ones(p + "post_attention_layernorm.weight", c.hiddenSize()));
            }
            tensors.add(ones("model.norm.weight", c.hiddenSize()));
            SafeTensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model to " + dir, e);
        }
    }

    private static TensorData normal(String name, SplittableRandom rng, double std, long... shape) {
        int n = (int) (shape[0] * (shape.length > 1 ? shape[1] : 1));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            // sum of 4 uniforms: cheap, bounded, close to normal
            double s = rng.nextDouble() + rng.nextDouble() + rng.nextDouble() + rng.nextDouble() - 2.0;
            v[i] = (float) (s * std * Math.sqrt(3.0));
        }
        return TensorData.ofFloats(name, v, shape);
    }

    private static TensorData ones(String name, int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return TensorData.ofFloats(name, v, n);
    }
}
