package dev.zhyper.trainer;

import dev.zhyper.training.TrainingRun;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.service.common.ServingState;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parent of the next round and retention, on a real checkpoint root and trainer-state.json: a round never
 * continues from a candidate that was rolled back (the ROLLED_BACK announcement, as Promotions publishes it, names the
 * served control as checkpoint_id and the withdrawn candidate as rolled_back_checkpoint_id), and retention never
 * deletes what zhyper.checkpoints says is live (the canary candidate, the control, the control before it).
 */
class LineageAndRetentionTest {

    @Test
    void aRoundDoesNotContinueFromARolledBackCandidate() throws Exception {
        Path root = Files.createTempDirectory("zhyper-lineage");
        TrainingService t = service(root, 10, ServingState.EMPTY);
        fake(root, "stream-1001-step10", "s1", 10);
        fake(root, "stream-1002-step20", "s2", 20);
        EventPublisher.record(t.state, event("s1", CheckpointStatus.PROMOTED, 1).build());
        EventPublisher.record(t.state, event("s2", CheckpointStatus.CANDIDATE, 2).setTrafficShare(0.1).build());
        assertEquals("s2", parentId(t), "rounds refine the newest candidate");

        // the canary judge (or RollbackCheckpoint) withdraws s2: the event names s1, still served, as checkpoint_id
        EventPublisher.record(t.state, event("s1", CheckpointStatus.ROLLED_BACK, 3).setRolledBackCheckpointId("s2")
                .build());
        assertEquals("s1", parentId(t), "the next round continues the control, not the rolled-back candidate");
        assertEquals(CheckpointStatus.ROLLED_BACK, t.state.of("s2").orElseThrow().status());
        assertEquals(CheckpointStatus.PROMOTED, t.state.of("s1").orElseThrow().status(), "s1 is still the control");

        // the state survives a restart
        TrainingService again = service(root, 10, ServingState.EMPTY);
        assertEquals("s1", parentId(again));
    }

    @Test
    void retentionKeepsTheLiveCandidateTheControlAndTheControlBefore() throws Exception {
        Path root = Files.createTempDirectory("zhyper-retention");
        for (int i = 1; i <= 6; i++) fake(root, "stream-" + (1000 + i) + "-step" + i, "s" + i, i);
        // live on zhyper.checkpoints (announced by another trainer replica: nothing in this one's state):
        // control s2, before it s1, candidate s3; s4..s6 are newer rounds (e.g. rejected ones)
        ServingState live = new ServingState(ref("s2"), ref("s3"), 0.1, 10, ref("s1"), Set.of("s4", "s5"));
        TrainingService t = service(root, 2, live);
        t.applyRetention();
        List<String> left = t.store.entries().stream().map(CheckpointStore.Entry::id).toList();
        assertEquals(List.of("s1", "s2", "s3", "s5", "s6"), left,
                "the last 2 plus the live candidate, the control and the control before it");
        assertTrue(t.state.of("s4").isEmpty());
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static TrainingService service(Path root, int keepLast, ServingState live) {
        TrainingService t = new TrainingService();
        TrainerSettings s = new TrainerSettings();
        s.initialCheckpoint = Optional.empty();
        s.retentionKeepLast = keepLast;
        t.settings = s;
        t.store = new CheckpointStore(root);
        t.state = TrainerState.open(root);
        t.ledger = new Ledger(); // not started: its state is what the topic said (set here)
        try {
            var f = Ledger.class.getDeclaredField("state");
            f.setAccessible(true);
            f.set(t.ledger, live);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        return t;
    }

    private static String parentId(TrainingService t) {
        return t.parent(TrainingRun.Conditioning.MINILM, List.of()).map(TrainingService.Parent::id).orElse(null);
    }

    private static CheckpointEvent.Builder event(String id, CheckpointStatus status, long seq) {
        return CheckpointEvent.newBuilder().setSchemaVersion(1).setCheckpointId(id).setStatus(status).setSequence(seq)
                .setPromoted(status == CheckpointStatus.PROMOTED);
    }

    private static ServingState.Ref ref(String id) {
        return new ServingState.Ref(id, "/nowhere/" + id, "", 0);
    }

    /** A checkpoint directory with a manifest only (all that parent selection and retention read). */
    private static void fake(Path root, String name, String id, int step) throws Exception {
        Path d = Files.createDirectories(root.resolve(name));
        Files.writeString(d.resolve("manifest.json"), "{\"format_version\":1,\"checkpoint_id\":\"" + id
                + "\",\"step\":" + step + ",\"created_at\":\"2026-12-01T00:00:0" + step + "Z\","
                + "\"embedder\":{\"id\":\"all-MiniLM-L6-v2\",\"dim\":384,\"labels\":null},\"files\":{}}");
    }
}
