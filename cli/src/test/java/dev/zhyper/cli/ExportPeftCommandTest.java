package dev.zhyper.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.PeftExport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code zhyper export-peft} writes a PEFT LoRA directory for one context of a checkpoint. */
class ExportPeftCommandTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path ckpt;

    @BeforeAll
    static void setUp() throws Exception {
        model = TinyCheckpoint.model(tmp.resolve("tiny"));
        ckpt = TinyCheckpoint.checkpoint(tmp.resolve("ckpt"), model, AdapterMethod.DIAG);
    }

    @Test
    void exportsOneContext() throws Exception {
        Path out = tmp.resolve("peft-upper");
        CliRun run = CliRun.of("export-peft", "--model", model.toString(), "--checkpoint", ckpt.toString(),
                "--context", "make it upper case", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(out.toString(), run.out().strip());
        assertTrue(run.err().contains(out.toString()), run.err());
        // diag, r = 2, 2 layers x {q_proj, v_proj}: 8 floats per context
        assertTrue(run.err().contains("per-context z: 8 floats (32 bytes)"), run.err());
        assertTrue(Files.isRegularFile(out.resolve(PeftExport.CONFIG)));
        assertTrue(Files.isRegularFile(out.resolve(PeftExport.WEIGHTS)));

        JsonNode cfg = new ObjectMapper().readTree(out.resolve(PeftExport.CONFIG).toFile());
        assertEquals("LORA", cfg.get("peft_type").asText());
        assertEquals(2, cfg.get("r").asInt());
        assertEquals(model.toString(), cfg.get("base_model_name_or_path").asText());
        assertEquals("make it upper case", cfg.get("zhyper").get("context").asText());
        assertEquals("zhyper-diag", cfg.get("zhyper").get("method").asText());
        assertFalse(cfg.get("zhyper").get("checkpoint_id").asText().isBlank());
        Map<String, PeftExport.DeltaWeight> d = PeftExport.readDeltaWeights(out);
        assertEquals(4, d.size(), d.keySet().toString());

        // another context gives another adapter
        Path out2 = tmp.resolve("peft-reverse");
        CliRun run2 = CliRun.of("export-peft", "--model", model.toString(), "--checkpoint", ckpt.toString(),
                "--context", "reverse the word", "--out", out2.toString(), "--base-model-name", "org/tiny");
        assertEquals(0, run2.exitCode(), run2.err());
        String key = "model.layers.0.self_attn.q_proj";
        assertFalse(java.util.Arrays.equals(d.get(key).values(), PeftExport.readDeltaWeights(out2).get(key).values()));
        assertEquals("org/tiny", new ObjectMapper().readTree(out2.resolve(PeftExport.CONFIG).toFile())
                .get("base_model_name_or_path").asText());
    }

    @Test
    void contextIsRequiredForAZhyperCheckpoint() {
        CliRun run = CliRun.of("export-peft", "--model", model.toString(), "--checkpoint", ckpt.toString(),
                "--out", tmp.resolve("no-context").toString());
        assertEquals(2, run.exitCode(), run.err());
        assertEquals("", run.out());
        assertTrue(run.err().contains("--context is required"), run.err());
        assertFalse(Files.exists(tmp.resolve("no-context")));
    }

    @Test
    void refusesToOverwriteAnUnrelatedDirectory() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "keep");
        CliRun run = CliRun.of("export-peft", "--model", model.toString(), "--checkpoint", ckpt.toString(),
                "--context", "upper", "--out", other.toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().startsWith("error: ") && run.err().contains("refusing to replace"), run.err());
        assertEquals("keep", Files.readString(other.resolve("notes.txt")));
    }
}
