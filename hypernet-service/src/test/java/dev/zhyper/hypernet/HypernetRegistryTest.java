package dev.zhyper.hypernet;

import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.model.ModelConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CheckpointRegistry without Quarkus: verification, switching, reference counting, eviction. */
class HypernetRegistryTest {

    @TempDir
    static Path tmp;
    static Path model;
    static Path a;
    static Path b;
    static ModelConfig base;

    @BeforeAll
    static void checkpoints() {
        model = TestCheckpoints.model(tmp.resolve("model"), "abcdefgh ");
        base = ModelConfig.load(model);
        a = TestCheckpoints.checkpoint(model, tmp.resolve("a"), AdapterMethod.DIAG, 1);
        b = TestCheckpoints.checkpoint(model, tmp.resolve("b"), AdapterMethod.DIAG, 2);
    }

    @Test
    void withoutACheckpointAcquireIsFailedPreconditionAndUnknownIdsNotFound() {
        try (CheckpointRegistry r = new CheckpointRegistry(base, 2)) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> r.acquire(""));
            assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("no checkpoint is loaded"));
            e = assertThrows(StatusRuntimeException.class, () -> r.acquire("nope"));
            assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
            assertNull(r.current());
        }
    }

    @Test
    void switchingKeepsTheOldAdapterAliveUntilItsLastRequestFinishes() {
        try (CheckpointRegistry r = new CheckpointRegistry(base, 1)) {
            LoadedCheckpoint ca = r.loadAndInstall(a, TestCheckpoints.fingerprint(a), TestCheckpoints.id(a), true);
            LoadedCheckpoint.Lease running = r.acquire("");
            assertSame(ca, running.checkpoint());
            LoadedCheckpoint cb = r.loadAndInstall(b, TestCheckpoints.fingerprint(b), TestCheckpoints.id(b), true);
            assertSame(cb, r.current());
            assertEquals(java.util.List.of(cb.id()), r.loadedIds(), "capacity 1: a was unloaded");
            assertFalse(ca.isClosed(), "a request still uses a");
            float[] z = ca.adapter().modulate(new float[][] {new float[384]}).get(0).values();
            assertEquals(TestCheckpoints.RANK * 4, z.length);
            running.close();
            assertTrue(ca.isClosed(), "freed after the last request");
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> r.acquire(ca.id()));
            assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
            // re-announcing the loaded checkpoint reuses it
            assertSame(cb, r.loadAndInstall(b, TestCheckpoints.fingerprint(b), TestCheckpoints.id(b), true));
        }
    }

    @Test
    void badCheckpointsAreRefusedAndTheCurrentOneStays() {
        try (CheckpointRegistry r = new CheckpointRegistry(base, 4)) {
            LoadedCheckpoint ca = r.loadAndInstall(a, TestCheckpoints.fingerprint(a), TestCheckpoints.id(a), true);
            var e = assertThrows(CheckpointRegistry.CheckpointRefusedException.class,
                    () -> r.loadAndInstall(b, "0".repeat(64), TestCheckpoints.id(b), true));
            assertTrue(e.getMessage().contains("sha256 mismatch"), e.getMessage());
            Path t = TestCheckpoints.tamperedCopy(b, tmp.resolve("tampered-" + System.nanoTime()));
            e = assertThrows(CheckpointRegistry.CheckpointRefusedException.class,
                    () -> r.loadAndInstall(t, TestCheckpoints.fingerprint(t), TestCheckpoints.id(t), true));
            assertTrue(e.getMessage().contains("sha256 mismatch for adapter.safetensors"), e.getMessage());
            e = assertThrows(CheckpointRegistry.CheckpointRefusedException.class,
                    () -> r.loadAndInstall(b, TestCheckpoints.fingerprint(b), "another-id", true));
            assertTrue(e.getMessage().contains("checkpoint id mismatch"), e.getMessage());
            e = assertThrows(CheckpointRegistry.CheckpointRefusedException.class,
                    () -> r.loadAndInstall(tmp.resolve("missing"), "0".repeat(64), "x", true));
            assertTrue(e.getMessage().contains("no manifest.json"), e.getMessage());
            // a checkpoint trained for another base shape (different vocabulary)
            Path otherModel = TestCheckpoints.model(tmp.resolve("other-model"), "xyz");
            Path other = TestCheckpoints.checkpoint(otherModel, tmp.resolve("other"), AdapterMethod.DIAG, 3);
            e = assertThrows(CheckpointRegistry.CheckpointRefusedException.class,
                    () -> r.loadAndInstall(other, TestCheckpoints.fingerprint(other), TestCheckpoints.id(other), true));
            assertTrue(e.getMessage().contains("trained for base model"), e.getMessage());
            assertSame(ca, r.current());
            assertEquals(java.util.List.of(ca.id()), r.loadedIds());
            assertFalse(ca.isClosed());
        }
    }
}
