package dev.zhyper.hypernet;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.zhyper.core.embed.Embedder;
import dev.zhyper.core.embed.MiniLmEmbedder;
import dev.zhyper.core.embed.OneHotEmbedder;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.checkpoint.AdapterCheckpoint;
import dev.zhyper.core.checkpoint.Checkpoint;
import dev.zhyper.core.checkpoint.Sha256;
import io.grpc.Status;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The loaded adapter checkpoints: the current one (answers requests without checkpoint_id) and up to
 * {@code capacity} recently used ones (for explicit checkpoint_id requests), least recently used evicted first.
 *
 * <p>Loading ({@link #load}) happens outside the lock and verifies everything (every file's sha256 via
 * {@code Checkpoint.open}, the expected manifest fingerprint, the checkpoint id, the base model's shape, the
 * embedder); {@link #install} then switches atomically. A request holds a {@link LoadedCheckpoint.Lease}; an
 * unloaded checkpoint is freed only when its last lease is closed. Thread-safe. Plain Java (no CDI) so that it can be
 * tested directly.
 */
public final class CheckpointRegistry implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CheckpointRegistry.class);

    private final ModelConfig base;
    private final int capacity;
    /** Access-ordered: iteration starts at the least recently used. */
    private final LinkedHashMap<String, LoadedCheckpoint> loaded = new LinkedHashMap<>(16, 0.75f, true);
    private volatile LoadedCheckpoint current;
    /** Ids never evicted: the canary's control and candidate. */
    private volatile java.util.Set<String> pinned = java.util.Set.of();
    private volatile String candidateId;
    private boolean closed;

    public CheckpointRegistry(ModelConfig base, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("loaded-checkpoints must be >= 1, got " + capacity);
        this.base = Objects.requireNonNull(base);
        this.capacity = capacity;
    }

    /** A checkpoint that must not be served (verification failed); the message says why. */
    public static final class CheckpointRefusedException extends RuntimeException {
        public CheckpointRefusedException(String message) {
            super(message);
        }

        public CheckpointRefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Takes a reference on checkpoint {@code id} (blank = the current one).
     *
     * @throws io.grpc.StatusRuntimeException FAILED_PRECONDITION when none is loaded, NOT_FOUND for an unknown id
     */
    public synchronized LoadedCheckpoint.Lease acquire(String id) {
        LoadedCheckpoint c;
        if (id == null || id.isBlank()) {
            c = current;
            if (c == null) {
                throw Status.FAILED_PRECONDITION.withDescription("no checkpoint is loaded yet (set zhyper.checkpoint.dir"
                        + " or publish a CheckpointEvent on zhyper.checkpoints)").asRuntimeException();
            }
            loaded.get(c.id()); // touch (LRU)
        } else {
            c = loaded.get(id);
            if (c == null) {
                throw Status.NOT_FOUND.withDescription("checkpoint '" + id + "' is not loaded (loaded: "
                        + loaded.keySet() + ")").asRuntimeException();
            }
        }
        if (!c.tryAcquire()) {
            throw new IllegalStateException("checkpoint " + c.id() + " is registered but retired");
        }
        return new LoadedCheckpoint.Lease(c);
    }

    /**
     * Keeps the canary's checkpoints loaded: {@code candidate} (or null) is never evicted besides the current one
     * (requests of the generator's candidate arm name it by checkpoint_id).
     */
    public synchronized void setCandidate(String candidate) {
        candidateId = candidate;
        pinned = candidate == null ? java.util.Set.of() : java.util.Set.of(candidate);
    }

    /** The canary candidate's id (loaded, pinned), or null. */
    public String candidateId() {
        return candidateId;
    }

    /** The current checkpoint (may be null); for status only — requests use {@link #acquire}. */
    public LoadedCheckpoint current() {
        return current;
    }

    public synchronized List<String> loadedIds() {
        return new ArrayList<>(loaded.keySet());
    }

    /** Whether checkpoint {@code id} with this manifest fingerprint is loaded. */
    public synchronized Optional<LoadedCheckpoint> find(String id, String fingerprint) {
        LoadedCheckpoint c = loaded.get(id);
        return c != null && c.fingerprint().equals(fingerprint) ? Optional.of(c) : Optional.empty();
    }

    /**
     * Opens, verifies and loads the checkpoint in {@code dir} (not yet installed).
     *
     * @param expectedSha256 hex sha256 the manifest.json must have, or null
     * @param expectedId     checkpoint id the manifest must carry, or null
     * @throws CheckpointRefusedException for every verification failure
     */
    public LoadedCheckpoint load(Path dir, String expectedSha256, String expectedId) {
        String fingerprint = manifestSha(dir);
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(fingerprint)) {
            throw new CheckpointRefusedException("sha256 mismatch for " + dir + ": expected " + expectedSha256
                    + ", manifest.json has " + fingerprint);
        }
        AdapterCheckpoint.Loaded l;
        try {
            l = AdapterCheckpoint.load(dir, base, Device.cpu(), DataType.FLOAT32);
        } catch (RuntimeException e) {
            throw new CheckpointRefusedException("checkpoint " + dir + " failed verification: " + e.getMessage(), e);
        }
        boolean ok = false;
        Embedder labels = null;
        try {
            String after = manifestSha(dir);
            if (!after.equals(fingerprint)) {
                throw new CheckpointRefusedException("manifest.json of " + dir + " changed while loading");
            }
            if (expectedId != null && !expectedId.equals(l.checkpointId())) {
                throw new CheckpointRefusedException("checkpoint id mismatch: expected '" + expectedId
                        + "', manifest.json of " + dir + " says '" + l.checkpointId() + "'");
            }
            AdapterCheckpoint.EmbedderInfo info = l.embedder();
            int dim = l.adapter().hyperSpec() == null ? 0 : l.adapter().hyperSpec().embedDim();
            if (l.adapter().spec().method().usesHypernetwork()) {
                if (info == null) {
                    throw new CheckpointRefusedException("checkpoint " + l.checkpointId() + " records no embedder");
                }
                if (info.dim() != dim) {
                    throw new CheckpointRefusedException("checkpoint " + l.checkpointId() + ": embedder dim "
                            + info.dim() + " != hypernetwork input dim " + dim);
                }
                if (info.labels() != null && !info.labels().isEmpty()) {
                    labels = new OneHotEmbedder(info.labels());
                } else if (!MiniLmEmbedder.ID.equals(info.id())) {
                    throw new CheckpointRefusedException("checkpoint " + l.checkpointId() + " needs embedder '"
                            + info.id() + "', which this service does not provide (only " + MiniLmEmbedder.ID
                            + " and one-hot labels)");
                }
            }
            LoadedCheckpoint c = new LoadedCheckpoint(l.checkpointId(), fingerprint, l.step(), dir, l.adapter(), info,
                    labels);
            ok = true;
            return c;
        } finally {
            if (!ok) l.adapter().close();
        }
    }

    /**
     * Registers a loaded checkpoint and (optionally) makes it the current one, atomically. If the same id with the
     * same fingerprint is already loaded, {@code c} is discarded and the loaded one is used.
     *
     * @return the registered instance
     */
    public LoadedCheckpoint install(LoadedCheckpoint c, boolean makeCurrent) {
        List<LoadedCheckpoint> retire = new ArrayList<>();
        LoadedCheckpoint result;
        synchronized (this) {
            if (closed) {
                c.retire();
                throw new IllegalStateException("registry is closed");
            }
            LoadedCheckpoint existing = loaded.get(c.id());
            if (existing != null && existing != c && existing.fingerprint().equals(c.fingerprint())) {
                retire.add(c);
                result = existing;
            } else {
                if (existing != null && existing != c) retire.add(existing);
                loaded.put(c.id(), c);
                result = c;
            }
            if (makeCurrent) current = result;
            Iterator<Map.Entry<String, LoadedCheckpoint>> it = loaded.entrySet().iterator();
            while (loaded.size() > capacity && it.hasNext()) {
                LoadedCheckpoint eldest = it.next().getValue();
                if (eldest == current || pinned.contains(eldest.id())) continue;
                it.remove();
                retire.add(eldest);
            }
        }
        for (LoadedCheckpoint r : retire) {
            r.retire();
            if (r != c) LOG.infof("unloaded checkpoint %s (freed when its last request finishes)", r.id());
        }
        return result;
    }

    /** {@link #load} + {@link #install}, reusing an identical loaded checkpoint without reading it again. */
    public LoadedCheckpoint loadAndInstall(Path dir, String expectedSha256, String expectedId, boolean makeCurrent) {
        if (expectedSha256 != null && expectedId != null) {
            String fp = manifestSha(dir);
            if (!fp.equalsIgnoreCase(expectedSha256)) {
                throw new CheckpointRefusedException("sha256 mismatch for " + dir + ": expected " + expectedSha256
                        + ", manifest.json has " + fp);
            }
            Optional<LoadedCheckpoint> same = find(expectedId, fp);
            if (same.isPresent()) {
                // same manifest => same file hashes; re-verify the files on disk anyway (they might be tampered)
                try (Checkpoint ignored = Checkpoint.open(dir)) {
                    // verified
                } catch (RuntimeException e) {
                    throw new CheckpointRefusedException("checkpoint " + dir + " failed verification: "
                            + e.getMessage(), e);
                }
                return install(same.get(), makeCurrent);
            }
        }
        return install(load(dir, expectedSha256, expectedId), makeCurrent);
    }

    private static String manifestSha(Path dir) {
        Path mf = dir.resolve(Checkpoint.MANIFEST);
        try {
            return Sha256.ofFile(mf);
        } catch (NoSuchFileException e) {
            throw new CheckpointRefusedException(dir + " has no " + Checkpoint.MANIFEST
                    + (Files.isDirectory(dir) ? "" : " (the directory does not exist)"));
        } catch (IOException e) {
            throw new CheckpointRefusedException(mf + " cannot be read: " + e, new UncheckedIOException(e));
        }
    }

    @Override
    public void close() {
        List<LoadedCheckpoint> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(loaded.values());
            loaded.clear();
            current = null;
        }
        all.forEach(LoadedCheckpoint::retire);
    }
}
