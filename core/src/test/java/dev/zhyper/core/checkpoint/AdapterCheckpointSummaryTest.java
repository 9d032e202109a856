package dev.zhyper.core.checkpoint;

import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.LayerSelection;
import dev.zhyper.core.io.ModelFormatException;
import dev.zhyper.core.model.TargetModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AdapterCheckpoint#summary}: what a manifest says (id, step, adapter spec, embedder) without loading tensors;
 * a manifest of another kind or with a broken adapter spec is refused naming the file.
 */
class AdapterCheckpointSummaryTest {

    @TempDir
    Path tmp;

    private Path manifest(String name, String kind, String adapter, String embedder) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.writeString(d.resolve(Checkpoint.MANIFEST), "{\"format_version\":1,\"checkpoint_id\":\"ckpt-" + name
                + "\",\"kind\":\"" + kind + "\",\"step\":1200,\"adapter\":" + adapter
                + (embedder == null ? "" : ",\"embedder\":" + embedder) + ",\"files\":{}}");
        return d;
    }

    private static final String DIAG = "{\"method\":\"zhyper-diag\",\"rank\":8,\"alpha\":16.0,\"rslora\":true,"
            + "\"targets\":[\"q_proj\",\"v_proj\"],\"layers\":\"0:4:2\",\"variant\":\"lora\"}";

    @Test
    void readsIdStepSpecAndEmbedder() throws Exception {
        Path d = manifest("a", "zhyper-adapter", DIAG, "{\"id\":\"one-hot\",\"dim\":3,\"labels\":[\"x\",\"y\",\"z\"]}");
        AdapterCheckpoint.Summary s = AdapterCheckpoint.summary(d);
        assertEquals("ckpt-a", s.checkpointId());
        assertEquals(1200, s.step());
        assertEquals(AdapterMethod.DIAG, s.spec().method());
        assertEquals(8, s.spec().rank());
        assertEquals(List.of(TargetModule.Q_PROJ, TargetModule.V_PROJ), s.spec().targets());
        assertEquals(LayerSelection.parse("0:4:2"), s.spec().layers());
        assertEquals("one-hot", s.embedder().id());
        assertEquals(List.of("x", "y", "z"), s.embedder().labels());
        assertNull(AdapterCheckpoint.summary(manifest("b", "zhyper-adapter", DIAG, null)).embedder());
    }

    @Test
    void refusesAnotherKindOrABrokenSpecNamingTheManifest() throws Exception {
        ModelFormatException kind = assertThrows(ModelFormatException.class,
                () -> AdapterCheckpoint.summary(manifest("c", "something-else", DIAG, null)));
        assertTrue(kind.getMessage().contains("not a Zhyper adapter checkpoint"), kind.getMessage());
        assertTrue(kind.getMessage().contains(Checkpoint.MANIFEST), kind.getMessage());
        ModelFormatException spec = assertThrows(ModelFormatException.class,
                () -> AdapterCheckpoint.summary(manifest("d", "zhyper-adapter", "{\"method\":\"nope\"}", null)));
        assertTrue(spec.getMessage().contains("invalid adapter spec"), spec.getMessage());
        assertThrows(ModelFormatException.class, () -> AdapterCheckpoint.summary(tmp.resolve("missing")));
    }
}
