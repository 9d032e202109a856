package dev.zhyper.trainer;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Listing from manifests only, retention (the last N plus kept ids), and the start-up cleanup of .work/. */
class CheckpointStoreTest {

    @Test
    void retentionKeepsTheLastNAndTheKeptOnes() throws Exception {
        Path root = Files.createTempDirectory("zhyper-store");
        CheckpointStore store = new CheckpointStore(root);
        for (int i = 1; i <= 5; i++) fake(root, "stream-" + (1000 + i) + "-step" + i, "id" + i, i);
        Files.createDirectories(root.resolve("not-a-checkpoint"));
        List<CheckpointStore.Entry> all = store.entries();
        assertEquals(List.of("id1", "id2", "id3", "id4", "id5"), all.stream().map(CheckpointStore.Entry::id).toList(),
                "oldest first; directories without a manifest are not listed");

        List<String> deleted = store.prune(2, Set.of("id1"));
        assertEquals(List.of("id2", "id3"), deleted);
        assertEquals(List.of("id1", "id4", "id5"), store.entries().stream().map(CheckpointStore.Entry::id).toList());
        assertEquals(List.of(), store.prune(0, Set.of()), "0 = keep everything");
    }

    @Test
    void cleanWorkRemovesWhatInterruptedRoundsLeft() throws Exception {
        Path root = Files.createTempDirectory("zhyper-store");
        CheckpointStore store = new CheckpointStore(root);
        Path w = store.workDir("stream-1-step3");
        Files.createDirectories(w);
        Files.writeString(w.resolve("adapter.safetensors"), "partial");
        Files.writeString(root.resolve(".promoted-123.tmp"), "{}");
        assertEquals(2, store.cleanWork());
        try (var s = Files.list(root.resolve(CheckpointStore.WORK))) {
            assertEquals(0, s.count());
        }
        assertFalse(Files.exists(root.resolve(".promoted-123.tmp")));
        assertTrue(Files.isDirectory(root.resolve(CheckpointStore.WORK)));
    }

    @Test
    void lineageTravelsWithTheCheckpoint() throws Exception {
        Path root = Files.createTempDirectory("zhyper-store");
        CheckpointStore store = new CheckpointStore(root);
        Path w = store.workDir("stream-9-step1");
        Files.createDirectories(w);
        store.writeLineage(w, new CheckpointStore.Lineage("parent-1", "stream", 42));
        Path dir = store.publish(w, "stream-9-step1");
        assertEquals(new CheckpointStore.Lineage("parent-1", "stream", 42), store.lineage(dir));
        assertEquals(new CheckpointStore.Lineage("", "", 0), store.lineage(root), "none recorded");
    }

    private static void fake(Path root, String name, String id, int i) throws Exception {
        Path d = Files.createDirectories(root.resolve(name));
        Files.writeString(d.resolve("manifest.json"), "{\"format_version\":1,\"checkpoint_id\":\"" + id
                + "\",\"step\":" + i + ",\"created_at\":\"2026-12-01T00:00:0" + i + "Z\",\"files\":{}}");
    }
}
