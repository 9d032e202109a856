package dev.zhyper.trainer;

import dev.zhyper.proto.v1.CheckpointStatus;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** trainer-state.json: the announcement sequence grows across reopenings; statuses and ever-promoted persist. */
class TrainerStateTest {

    @Test
    void sequenceAndStatusesSurviveAReopen() throws Exception {
        Path root = Files.createTempDirectory("zhyper-state");
        TrainerState s = TrainerState.open(root);
        long a = s.nextSequence();
        long b = s.nextSequence();
        assertTrue(b > a);
        assertTrue(a >= System.currentTimeMillis() - 60_000, "epoch-millisecond based");
        s.announced("c1", CheckpointStatus.PROMOTED, b);
        s.announced("c1", CheckpointStatus.ROLLED_BACK, s.nextSequence());
        s.announced("c2", CheckpointStatus.REJECTED, s.nextSequence());
        s.streamOrigin(1200);

        TrainerState again = TrainerState.open(root);
        long last = again.lastSequence();
        assertTrue(again.nextSequence() > last, "monotonic across restarts");
        assertEquals(CheckpointStatus.ROLLED_BACK, again.of("c1").orElseThrow().status());
        assertTrue(again.of("c1").orElseThrow().everPromoted(), "retention keeps every checkpoint ever promoted");
        assertEquals(CheckpointStatus.REJECTED, again.of("c2").orElseThrow().status());
        assertEquals(1200, again.streamOrigin().getAsLong());
        again.forget(java.util.List.of("c2"));
        assertTrue(TrainerState.open(root).of("c2").isEmpty());
    }

    @Test
    void aDamagedFileIsRefusedNamingIt() throws Exception {
        Path root = Files.createTempDirectory("zhyper-state");
        Files.writeString(root.resolve(TrainerState.FILE), "{not json");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TrainerState.open(root));
        assertTrue(e.getMessage().contains(TrainerState.FILE), e.getMessage());
    }
}
