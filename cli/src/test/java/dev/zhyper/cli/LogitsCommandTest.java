package dev.zhyper.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.engine.ZhyperEngine;
import dev.zhyper.core.model.DecoderInput;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.model.ModelOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code zhyper logits} on the tiny llama fixture matches the numpy reference's expected.json. */
class LogitsCommandTest {
    static final Path LLAMA = Path.of("../core/src/test/resources/fixtures/families/llama");
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void logitsMatchTheReference() throws Exception {
        JsonNode expected = JSON.readTree(LLAMA.resolve("expected.json").toFile());
        List<String> ids = new ArrayList<>();
        expected.get("tokens").forEach(t -> ids.add(t.asText()));

        CliRun run = CliRun.of("logits", "--model", LLAMA.toString(), "--tokens", String.join(",", ids),
                "--dtype", "fp32", "--device", "cpu");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(1, run.out().lines().count(), "one JSON line on stdout");

        JsonNode got = JSON.readTree(run.out());
        assertEquals(2, got.size(), "exactly the fields tokens and logits");
        assertEquals(expected.get("tokens"), got.get("tokens"));
        JsonNode logits = got.get("logits");
        assertTrue(logits.isArray());
        assertEquals(ids.size(), logits.size(), "one row per position");
        double maxErr = 0;
        for (int t = 0; t < ids.size(); t++) {
            JsonNode row = logits.get(t);
            JsonNode want = expected.get("logits").get(t);
            assertEquals(want.size(), row.size(), "vocabulary width of row " + t);
            for (int v = 0; v < row.size(); v++) {
                assertTrue(row.get(v).isNumber());
                maxErr = Math.max(maxErr, Math.abs(row.get(v).asDouble() - want.get(v).asDouble()));
            }
        }
        assertEquals(0.0, maxErr, 2e-4, "max |logit error|");
    }

    @Test
    void checkpointAndContextGoTogether() {
        CliRun run = CliRun.of("logits", "--model", LLAMA.toString(), "--tokens", "1,2", "--checkpoint", "x.ckpt");
        assertEquals(2, run.exitCode());
        assertEquals("", run.out());
        assertTrue(run.err().contains("--checkpoint needs --context"), run.err());
        CliRun run2 = CliRun.of("logits", "--model", LLAMA.toString(), "--tokens", "1,2", "--context", "upper");
        assertEquals(2, run2.exitCode());
        assertEquals("", run2.out());
        assertTrue(run2.err().contains("--context needs --checkpoint"), run2.err());
    }

    @Test
    void checkpointWithContextGivesTheAdaptedLogits(@TempDir Path tmp) throws Exception {
        Path model = TinyCheckpoint.model(tmp.resolve("tiny"));
        for (AdapterMethod method : List.of(AdapterMethod.DIAG, AdapterMethod.T2L)) {
            Path ckpt = TinyCheckpoint.checkpoint(tmp.resolve("ckpt-" + method.id()), model, method);
            int[] ids = {1, 7, 12, 5, 9};
            String tokens = "1,7,12,5,9";
            CliRun plain = CliRun.of("logits", "--model", model.toString(), "--tokens", tokens);
            CliRun adapted = CliRun.of("logits", "--model", model.toString(), "--tokens", tokens,
                    "--checkpoint", ckpt.toString(), "--context", "reverse the word");
            assertEquals(0, plain.exitCode(), plain.err());
            assertEquals(0, adapted.exitCode(), adapted.err());
            float[] base = flat(JSON.readTree(plain.out()).get("logits"));
            float[] got = flat(JSON.readTree(adapted.out()).get("logits"));
            assertFalse(java.util.Arrays.equals(base, got), "the adapter changes the logits");

            float[] expected;
            try (ZhyperEngine engine = ZhyperEngine.open(model, ckpt, ModelOptions.cpuFloat32());
                 NDManager m = engine.base().manager().newSubManager()) {
                var delta = engine.adapter().forRows(m, List.of(engine.modulate("reverse the word")));
                expected = engine.base().forward(m, DecoderInput.single(ids), null, delta,
                        DecoderModel.ForwardOptions.FULL).toFloatArray();
            }
            assertArrayEquals(expected, got, 1e-6f, method.id());
        }
    }

    private static float[] flat(JsonNode rows) {
        List<Float> v = new ArrayList<>();
        rows.forEach(r -> r.forEach(x -> v.add((float) x.asDouble())));
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    @Test
    void tokenOutsideTheVocabularyFails() {
        CliRun run = CliRun.of("logits", "--model", LLAMA.toString(), "--tokens", "1,64");
        assertEquals(1, run.exitCode());
        assertEquals("", run.out());
        assertTrue(run.err().startsWith("error: token id 64 is outside the vocabulary"), run.err());
    }

    @Test
    void unknownDtypeIsAUsageError() {
        CliRun run = CliRun.of("logits", "--model", LLAMA.toString(), "--tokens", "1", "--dtype", "int3");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("unknown dtype 'int3'"), run.err());
    }
}
