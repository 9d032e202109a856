package dev.zhyper.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void checkpointIsNotSupportedYet() {
        CliRun run = CliRun.of("logits", "--model", LLAMA.toString(), "--tokens", "1,2", "--checkpoint", "x.ckpt");
        assertEquals(1, run.exitCode());
        assertEquals("", run.out());
        assertEquals("error: --checkpoint is not supported yet", run.err().strip());
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
