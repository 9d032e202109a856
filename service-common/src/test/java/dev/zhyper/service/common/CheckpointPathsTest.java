package dev.zhyper.service.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One parser for checkpoint locations, confined to the roots with links resolved and no existence oracle. */
class CheckpointPathsTest {

    @TempDir
    Path tmp;

    @Test
    void fileUrisOfAnyCaseAndPlainPathsParseOtherSchemesDoNot() {
        assertEquals(Path.of("/a/b"), CheckpointPaths.parse("file:///a/b"));
        assertEquals(Path.of("/a/b"), CheckpointPaths.parse("FILE:///a/b"));
        assertEquals(Path.of("/a/b"), CheckpointPaths.parse(" /a/b "));
        var e = assertThrows(IllegalArgumentException.class, () -> CheckpointPaths.parse("s3://bucket/secret-path"));
        assertTrue(e.getMessage().contains("'s3'"), e.getMessage());
        assertFalse(e.getMessage().contains("secret-path"), e.getMessage());
    }

    @Test
    void onlyExistingDirectoriesUnderTheRootsWithLinksResolvedAreAccepted() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("checkpoints"));
        Path ckpt = Files.createDirectories(root.resolve("c1"));
        Path outside = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.createSymbolicLink(root.resolve("etc"), Path.of("/etc"));
        CheckpointPaths paths = CheckpointPaths.fromConfig(root + ", " + tmp.resolve("missing-root"));
        assertEquals(ckpt.toRealPath(), paths.confine(ckpt.toString()));
        assertEquals(ckpt.toRealPath(), paths.confine("file://" + ckpt));
        String message = null;
        for (String bad : new String[] {"/etc", "file:///etc", root + "/../elsewhere", root.resolve("escape").toString(),
                root.resolve("etc").toString(), "/no/such/dir", root.resolve("not-there").toString()}) {
            var e = assertThrows(CheckpointPaths.OutsideRootsException.class, () -> paths.confine(bad), bad);
            assertFalse(e.getMessage().contains("/"), "names no path: " + e.getMessage());
            assertEquals(null, e.getCause());
            if (message == null) message = e.getMessage();
            assertEquals(message, e.getMessage(), "one message for missing and outside: no existence oracle");
        }
    }

    /** The checkpoint served at start lies outside the trainer's roots; a rollback to it must still be honoured. */
    @Test
    void theConfiguredCheckpointIsAcceptedExactlyNothingBelowOrBesideIt() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("checkpoints"));
        Path shipped = Files.createDirectories(tmp.resolve("models/shipped"));
        Path inner = Files.createDirectories(shipped.resolve("inner"));
        Path sibling = Files.createDirectories(tmp.resolve("models/other"));
        CheckpointPaths paths = CheckpointPaths.fromConfig(root.toString(), java.util.Optional.of(shipped.toString()));
        assertEquals(shipped.toRealPath(), paths.confine("file://" + shipped));
        assertEquals(shipped.toRealPath(), paths.confine(shipped + "/."));
        for (Path bad : new Path[] {inner, sibling, shipped.getParent()}) {
            assertThrows(CheckpointPaths.OutsideRootsException.class, () -> paths.confine(bad.toString()), bad.toString());
        }
        assertThrows(CheckpointPaths.OutsideRootsException.class,
                () -> CheckpointPaths.fromConfig(root.toString()).confine(shipped.toString()), "without it: refused");
    }
}
