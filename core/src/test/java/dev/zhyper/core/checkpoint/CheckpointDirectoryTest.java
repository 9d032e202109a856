package dev.zhyper.core.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointDirectoryTest {
    @TempDir
    Path root;

    private Path write(String name, long step) throws IOException {
        return Checkpoint.write(root.resolve(name), CheckpointTest.tensors(step), CheckpointTest.body(step), false);
    }

    @Test
    void emptyOrMissingRoot() {
        assertEquals(Optional.empty(), CheckpointDirectory.latest(root));
        assertEquals(List.of(), CheckpointDirectory.list(root));
        assertEquals(Optional.empty(), CheckpointDirectory.latest(root.resolve("missing")));
        assertEquals(List.of(), CheckpointDirectory.list(root.resolve("missing")));
    }

    @Test
    void latestPicksHighestStepNotNameOrder() throws IOException {
        Path s9 = write("ckpt-9", 9);
        Path s100 = write("ckpt-100", 100);
        Path s20 = write("ckpt-20", 20);
        assertEquals(Optional.of(s100), CheckpointDirectory.latest(root));
        assertEquals(List.of(s9, s20, s100), CheckpointDirectory.list(root));
    }

    @Test
    void simulatedCrashTempDirIsIgnored() throws IOException {
        Path s5 = write("ckpt-5", 5);
        // a crash mid-write leaves a hidden staging dir; make it look complete with a higher step
        Path full = write("ckpt-999", 999);
        Path tmp = root.resolve(".tmp-ckpt-999-deadbeef");
        Files.move(full, tmp);
        Path partial = root.resolve(".tmp-ckpt-1000-cafe");
        Files.createDirectory(partial);
        Files.writeString(partial.resolve("params.safetensors"), "half");
        assertEquals(Optional.of(s5), CheckpointDirectory.latest(root));
        assertEquals(List.of(s5), CheckpointDirectory.list(root));
    }

    @Test
    void invalidCheckpointsAreSkipped() throws IOException {
        Path s1 = write("ckpt-1", 1);
        Path s2 = write("ckpt-2", 2);
        Path s3 = write("ckpt-3", 3);
        // corrupt the newest: latest falls back to the next one
        Path f = s3.resolve("params.safetensors");
        byte[] b = Files.readAllBytes(f);
        b[b.length - 1] ^= 0x40;
        Files.write(f, b);
        // a dir without a manifest, one with a non-numeric step, and a plain file
        Files.createDirectory(root.resolve("ckpt-50"));
        ObjectNode noStep = CheckpointTest.body(0);
        noStep.put("step", "lots");
        Checkpoint.write(root.resolve("ckpt-weird"), CheckpointTest.tensors(1f), noStep, false);
        Files.writeString(root.resolve("README"), "x");
        assertEquals(Optional.of(s2), CheckpointDirectory.latest(root));
        assertEquals(List.of(s1, s2), CheckpointDirectory.list(root));
        assertTrue(Files.exists(s3));
    }
}
