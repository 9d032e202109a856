package dev.zhyper.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Logits of the four families against an independent float64 numpy implementation of Hugging Face's forward pass
 * (tools/reference/hf_reference.py), on tiny random models stored as real HF directories.
 */
class FamilyReferenceTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/families");

    @ParameterizedTest
    @ValueSource(strings = {"llama", "llama3-rope-scaling", "mistral-sliding", "mistral-bf16-sharded", "qwen2", "gemma2"})
    void logitsMatchReference(String name) throws Exception {
        Path dir = FIXTURES.resolve(name);
        JsonNode expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        int[] tokens = new int[expected.get("tokens").size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = expected.get("tokens").get(i).asInt();
        }
        try (DecoderModel model = DecoderModel.load(dir, ModelOptions.cpuFloat32());
             NDManager m = model.manager().newSubManager()) {
            NDArray logits = model.forward(m, DecoderInput.single(tokens), null, null, DecoderModel.ForwardOptions.FULL);
            int vocab = model.config().vocabSize();
            float[] got = logits.toFloatArray();
            double maxErr = 0;
            for (int t = 0; t < tokens.length; t++) {
                JsonNode row = expected.get("logits").get(t);
                for (int v = 0; v < vocab; v++) {
                    maxErr = Math.max(maxErr, Math.abs(got[t * vocab + v] - row.get(v).asDouble()));
                }
            }
            assertEquals(0.0, maxErr, 2e-4, name + ": max |logit error|");
        }
    }
}
