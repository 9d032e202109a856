package dev.zhyper.core.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zhyper.core.io.ModelFormatException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A directory of many checkpoints, one per subdirectory, ordered by the manifest's integer
 * {@code "step"}. Hidden subdirectories (names starting with '.', e.g. the staging dirs of an
 * interrupted {@link Checkpoint#write}), subdirectories without a numeric step, and checkpoints
 * that fail {@link Checkpoint#open} verification are silently skipped.
 */
public final class CheckpointDirectory {
    private CheckpointDirectory() {
    }

    private record Candidate(Path dir, long step) {
    }

    private static final Comparator<Candidate> BY_STEP =
            Comparator.comparingLong(Candidate::step).thenComparing(c -> c.dir().getFileName().toString());

    /** The valid checkpoint with the highest step (ties: the greatest directory name), if any. */
    public static Optional<Path> latest(Path root) {
        List<Candidate> cs = candidates(root);
        cs.sort(BY_STEP.reversed());
        for (Candidate c : cs) { // verify newest first, stop at the first good one
            if (verifies(c.dir())) {
                return Optional.of(c.dir());
            }
        }
        return Optional.empty();
    }

    /** All valid checkpoints, sorted by ascending step (ties by directory name). Empty if root does not exist. */
    public static List<Path> list(Path root) {
        List<Candidate> cs = candidates(root);
        cs.sort(BY_STEP);
        List<Path> out = new ArrayList<>();
        for (Candidate c : cs) {
            if (verifies(c.dir())) {
                out.add(c.dir());
            }
        }
        return out;
    }

    /** Non-hidden subdirectories whose manifest parses and has an integer step; files not yet verified. */
    private static List<Candidate> candidates(Path root) {
        List<Candidate> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                if (p.getFileName().toString().startsWith(".") || !Files.isDirectory(p)) {
                    continue;
                }
                try {
                    JsonNode step = Checkpoint.readManifest(p).manifest().get("step");
                    if (step != null && step.isIntegralNumber() && step.canConvertToLong()) {
                        out.add(new Candidate(p, step.longValue()));
                    }
                } catch (ModelFormatException e) {
                    // not a (complete) checkpoint: skip
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot list checkpoints", e);
        }
        return out;
    }

    private static boolean verifies(Path dir) {
        try {
            Checkpoint.open(dir).close();
            return true;
        } catch (ModelFormatException | UncheckedIOException e) {
            return false;
        }
    }
}
