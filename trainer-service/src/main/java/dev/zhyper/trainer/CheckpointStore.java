package dev.zhyper.trainer;

import dev.zhyper.core.io.DurableFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.core.checkpoint.Checkpoint;
import dev.zhyper.core.checkpoint.CheckpointDirectory;
import dev.zhyper.proto.v1.CheckpointInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The checkpoint registry on disk: {@code <root>/<name>} is one checkpoint (core's {@link Checkpoint} layout), one
 * directory per checkpoint and never rewritten. Training writes into {@code <root>/.work/<name>} (hidden, so
 * {@link CheckpointDirectory} never lists it) and the finished directory is renamed atomically to
 * {@code <root>/<name>}. {@code <root>/promoted.json} records the promoted checkpoint. Names:
 * {@code stream-<epoch millis>-step<N>} for streaming rounds, {@code <job id>-step<N>} for jobs; the checkpoint id is
 * core's {@code <name>-<12 hex of the files' sha256>}.
 */
public final class CheckpointStore {

    public static final String STREAM_PREFIX = "stream-";
    static final String WORK = ".work";
    /** Sidecar of a checkpoint written by this trainer: parent, job, training-set size (see {@link Lineage}). */
    static final String LINEAGE = "lineage.json";
    static final String PROMOTED = "promoted.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    public CheckpointStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root.resolve(WORK));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the checkpoint root " + this.root, e);
        }
    }

    public Path root() {
        return root;
    }

    /** A fresh (absent) work directory {@code <root>/.work/<name>}; any leftover of an earlier attempt is removed. */
    public Path workDir(String name) {
        Path w = root.resolve(WORK).resolve(name);
        deleteQuietly(w);
        return w;
    }

    /** Copies a finished checkpoint into a work directory (to continue training from it). */
    public void copyInto(Path checkpoint, Path work) {
        try {
            Files.createDirectories(work);
            try (var files = Files.list(checkpoint)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(f)) {
                        Files.copy(f, work.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + checkpoint + " to " + work, e);
        }
    }

    /**
     * Moves a checkpoint finished in a work directory to {@code <root>/<name>} with one atomic rename (a suffix is added
     * if the name is taken) and returns the final directory.
     */
    public Path publish(Path work, String name) {
        Path target = root.resolve(name);
        if (Files.exists(target)) {
            target = root.resolve(name + "-" + System.currentTimeMillis());
        }
        try {
            Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel d = FileChannel.open(root, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException | RuntimeException ignored) {
                // best effort
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + work + " to " + target, e);
        }
        return target;
    }

    public void discard(Path work) {
        deleteQuietly(work);
    }

    /**
     * Removes everything under {@code <root>/.work/} (what rounds or jobs interrupted by a crash left) and stray temp
     * files of {@link #promote}; returns how many entries were removed. Called once at start, before any training.
     */
    public int cleanWork() {
        int n = 0;
        try (var s = Files.list(root.resolve(WORK))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                deleteQuietly(p);
                n++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + root.resolve(WORK), e);
        }
        try (var s = Files.list(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String f = p.getFileName().toString();
                if (f.startsWith(".") && f.endsWith(".tmp") && Files.isRegularFile(p)) {
                    deleteQuietly(p);
                    n++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        return n;
    }

    /**
     * What this trainer records next to a checkpoint (inside its directory, written before the atomic rename, so it
     * appears with it): the checkpoint it continued from, the job, and how many examples the training set had.
     */
    public record Lineage(String parentCheckpointId, String jobId, int examples) {}

    /** Writes {@code lineage.json} into a work directory. */
    public void writeLineage(Path work, Lineage l) {
        ObjectNode n = JSON.createObjectNode();
        n.put("parent_checkpoint_id", l.parentCheckpointId() == null ? "" : l.parentCheckpointId());
        n.put("job_id", l.jobId() == null ? "" : l.jobId());
        n.put("examples", l.examples());
        try {
            Files.write(work.resolve(LINEAGE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + work.resolve(LINEAGE), e);
        }
    }

    /** The lineage of a checkpoint directory (empty fields when it has none, e.g. imported checkpoints). */
    public Lineage lineage(Path dir) {
        Path f = dir.resolve(LINEAGE);
        if (!Files.isRegularFile(f)) return new Lineage("", "", 0);
        try {
            JsonNode n = JSON.readTree(f.toFile());
            return new Lineage(n.path("parent_checkpoint_id").asText(""), n.path("job_id").asText(""),
                    n.path("examples").asInt(0));
        } catch (IOException e) {
            return new Lineage("", "", 0);
        }
    }

    /**
     * One checkpoint directory as listed from its manifest alone (id, step, creation time): no file is hashed.
     */
    public record Entry(Path dir, String id, long step, String createdAt, JsonNode manifest) {
        public String name() {
            return dir.getFileName().toString();
        }

        public boolean stream() {
            return name().startsWith(STREAM_PREFIX);
        }
    }

    /**
     * Every checkpoint directory whose manifest parses, oldest first (by creation time, then name), WITHOUT verifying
     * the files (cheap: one small JSON per checkpoint). Use {@link #info} or {@link Checkpoint#open} to verify the one
     * that is used.
     */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        try (var s = Files.list(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith(".") || !Files.isDirectory(p)) continue;
                Path mf = p.resolve(Checkpoint.MANIFEST);
                if (!Files.isRegularFile(mf)) continue;
                try {
                    JsonNode m = JSON.readTree(mf.toFile());
                    String id = m.path("checkpoint_id").asText("");
                    if (id.isBlank() || !m.path("step").canConvertToLong()) continue;
                    out.add(new Entry(p, id, m.path("step").asLong(), m.path("created_at").asText(""), m));
                } catch (IOException e) {
                    // not a (complete) checkpoint: skip
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        out.sort(Comparator.comparing(Entry::createdAt).thenComparing(Entry::name));
        return out;
    }

    /** The listed entry with this checkpoint id, if any (manifest only, not verified). */
    public Optional<Entry> entry(String id) {
        return entries().stream().filter(e -> e.id().equals(id)).findFirst();
    }

    /**
     * Retention: deletes every checkpoint except the newest {@code keepLast} (by creation time; 0 = keep all) and
     * those in {@code keep} (ids: every promoted checkpoint, the served one, ...). Each is first renamed into
     * {@code .work/} (so it disappears atomically from the listing) and then deleted. Returns the deleted ids.
     */
    public List<String> prune(int keepLast, java.util.Set<String> keep) {
        if (keepLast <= 0) return List.of();
        List<Entry> all = entries();
        List<String> deleted = new ArrayList<>();
        for (int i = 0; i < all.size() - keepLast; i++) {
            Entry e = all.get(i);
            if (keep.contains(e.id())) continue;
            Path gone = root.resolve(WORK).resolve(".deleted-" + e.name() + "-" + System.nanoTime());
            try {
                Files.move(e.dir(), gone, StandardCopyOption.ATOMIC_MOVE);
                deleteQuietly(gone);
                deleted.add(e.id());
            } catch (IOException ex) {
                // in use elsewhere or already gone: try again after the next round
            }
        }
        return deleted;
    }

    /** All valid checkpoints, newest (highest step, then greatest name) first. */
    public List<Path> list() {
        List<Path> l = new ArrayList<>(CheckpointDirectory.list(root));
        Collections.reverse(l);
        return l;
    }


    /** The description of one checkpoint directory (opens and verifies it). */
    public CheckpointInfo info(Path dir) {
        String promoted = promotedId().orElse(null);
        try (Checkpoint c = Checkpoint.open(dir)) {
            return info(c, promoted);
        }
    }

    private CheckpointInfo info(Checkpoint c, String promoted) {
        ObjectNode m = c.manifest();
        CheckpointInfo.Builder b = CheckpointInfo.newBuilder()
                .setCheckpointId(c.id())
                .setUri(c.dir().toAbsolutePath().normalize().toString())
                .setSha256(c.fingerprint())
                .setStep(m.path("step").asLong(0))
                .putAllMetrics(metrics(m))
                .setPromoted(c.id().equals(promoted));
        return b.build();
    }

    static Map<String, Double> metrics(ObjectNode manifest) {
        Map<String, Double> out = new TreeMap<>();
        JsonNode ms = manifest.get("metrics");
        if (ms != null && ms.isObject()) {
            ms.fields().forEachRemaining(e -> {
                if (e.getValue().isNumber()) out.put(e.getKey(), e.getValue().asDouble());
            });
        }
        return out;
    }

    /** Every valid checkpoint, newest first; {@code limit} 0 = all. */
    public List<CheckpointInfo> infos(int limit, boolean promotedOnly) {
        String promoted = promotedId().orElse(null);
        List<CheckpointInfo> out = new ArrayList<>();
        for (Path p : list()) {
            try (Checkpoint c = Checkpoint.open(p)) {
                CheckpointInfo i = info(c, promoted);
                if (promotedOnly && !i.getPromoted()) continue;
                out.add(i);
            } catch (RuntimeException e) {
                // removed or damaged between listing and opening: skip
            }
            if (limit > 0 && out.size() >= limit) break;
        }
        return out;
    }

    /** The checkpoint with this id, if any. */
    public Optional<CheckpointInfo> find(String id) {
        return infos(0, false).stream().filter(i -> i.getCheckpointId().equals(id)).findFirst();
    }

    /** The id recorded in {@code promoted.json}, if any. */
    public synchronized Optional<String> promotedId() {
        Path f = root.resolve(PROMOTED);
        if (!Files.isRegularFile(f)) return Optional.empty();
        try {
            JsonNode n = JSON.readTree(f.toFile());
            String id = n.path("checkpoint_id").asText("");
            return id.isBlank() ? Optional.empty() : Optional.of(id);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Records {@code id} as the promoted checkpoint (temp file + atomic rename). */
    public synchronized void promote(String id) {
        ObjectNode n = JSON.createObjectNode();
        n.put("checkpoint_id", id);
        n.put("promoted_at", Instant.now().toString());
        Path f = root.resolve(PROMOTED);
        Path tmp = root.resolve(".promoted-" + System.nanoTime() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n)));
                ch.force(true);
            }
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + f, e);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            DurableFiles.deleteRecursively(p);
        } catch (IOException ignored) {
            // hidden leftovers are harmless
        }
    }
}
