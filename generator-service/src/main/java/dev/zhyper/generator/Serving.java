package dev.zhyper.generator;

import dev.zhyper.core.engine.ZhyperEngine;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.train.Checkpoint;
import org.jboss.logging.Logger;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the generator serves: the base model (loaded once, owned by a base-only engine) and the A/B arms, each
 * pointing at the {@link EngineHandle} of its current checkpoint. {@link #swap} replaces one arm's checkpoint
 * without a restart.
 */
public final class Serving implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Serving.class);

    /** Name of the single arm when zhyper.ab.arms is not set. */
    public static final String DEFAULT_ARM = "default";

    private final ZhyperEngine base;
    private final EngineHandle baseHandle;
    private final ArmChooser chooser;
    private final Map<String, AtomicReference<EngineHandle>> arms = new LinkedHashMap<>();

    private Serving(ZhyperEngine base, ArmChooser chooser) {
        this.base = base;
        this.baseHandle = new EngineHandle(base, null, false);
        this.chooser = chooser;
    }

    /** Loads the base model and every arm's checkpoint (any failure aborts startup). */
    public static Serving open(Path modelDir, String checkpointDir, String armsSpec, ModelOptions options) {
        List<ArmChooser.ArmSpec> specs = armsSpec == null || armsSpec.isBlank()
                ? List.of(new ArmChooser.ArmSpec(DEFAULT_ARM, checkpointDir == null || checkpointDir.isBlank()
                ? null : checkpointDir, 1))
                : ArmChooser.parse(armsSpec);
        ZhyperEngine base = ZhyperEngine.open(modelDir, null, options);
        Serving s = new Serving(base, new ArmChooser(specs));
        try {
            for (ArmChooser.ArmSpec a : specs) {
                EngineHandle h = a.checkpointDir() == null ? s.baseHandle : s.load(toPath(a.checkpointDir()), null, null);
                s.arms.put(a.name(), new AtomicReference<>(h));
                LOG.infof("arm %s (weight %s): checkpoint %s", a.name(), a.weight(),
                        h.checkpointId() == null ? "<base model>" : h.checkpointId());
            }
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** "file:///x" or a plain path. */
    public static Path toPath(String uriOrPath) {
        String t = uriOrPath.trim();
        if (t.toLowerCase(Locale.ROOT).startsWith("file:")) {
            return Path.of(URI.create(t));
        }
        if (t.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            throw new IllegalArgumentException("unsupported checkpoint URI scheme (only file: and plain paths): " + t);
        }
        return Path.of(t);
    }

    /**
     * Verifies and loads a checkpoint over the shared base. {@code expectedSha256} / {@code expectedId}, when
     * non-null, must equal the manifest fingerprint / checkpoint id, else IllegalArgumentException.
     */
    EngineHandle load(Path dir, String expectedSha256, String expectedId) {
        String fingerprint;
        String id;
        try (Checkpoint c = Checkpoint.open(dir)) {
            fingerprint = c.fingerprint();
            id = c.id();
        }
        if (expectedSha256 != null && !expectedSha256.trim().equalsIgnoreCase(fingerprint)) {
            throw new IllegalArgumentException("sha256 mismatch for " + dir + ": event says " + expectedSha256
                    + " but manifest.json hashes to " + fingerprint);
        }
        if (expectedId != null && !expectedId.equals(id)) {
            throw new IllegalArgumentException("checkpoint id mismatch for " + dir + ": event says " + expectedId
                    + " but the manifest says " + id);
        }
        ZhyperEngine e = base.withCheckpoint(dir);
        if (!e.checkpointId().equals(id)) {
            e.close();
            throw new IllegalStateException("checkpoint " + dir + " changed while loading");
        }
        try (Checkpoint c = Checkpoint.open(dir)) {
            if (!c.fingerprint().equals(fingerprint)) {
                e.close();
                throw new IllegalStateException("checkpoint " + dir + " changed while loading");
            }
        }
        return new EngineHandle(e, fingerprint, true);
    }

    /**
     * Replaces the checkpoint of {@code arm}: loads and verifies it first (throws and changes nothing when it fails),
     * then points the arm at it and retires the previous engine (closed when its last batch ends).
     *
     * A re-announced checkpoint is verified and loaded again (so tampered files are always noticed).
     *
     * @return the id of the checkpoint the arm served before
     */
    public String swap(String arm, Path dir, String expectedSha256, String expectedId) {
        AtomicReference<EngineHandle> ref = arms.get(arm);
        if (ref == null) throw new IllegalArgumentException("no arm named '" + arm + "'");
        EngineHandle next = load(dir, expectedSha256, expectedId);
        EngineHandle old = ref.getAndSet(next);
        if (old != baseHandle) old.retire();
        LOG.infof("arm %s now serves checkpoint %s (was %s)", arm, next.checkpointId(), old.checkpointId());
        return old.checkpointId();
    }

    public ArmChooser chooser() {
        return chooser;
    }

    public boolean hasArm(String name) {
        return arms.containsKey(name);
    }

    /** The arm's current engine, acquired (the caller must release it). */
    public EngineHandle acquire(String arm) {
        AtomicReference<EngineHandle> ref = arms.get(arm);
        if (ref == null) throw new IllegalArgumentException("no arm named '" + arm + "'");
        while (true) {
            EngineHandle h = ref.get();
            if (h.acquire()) return h;
            Thread.onSpinWait();
        }
    }

    /** Arm name → current checkpoint id ("" for the base model). */
    public Map<String, String> armCheckpoints() {
        Map<String, String> m = new LinkedHashMap<>();
        arms.forEach((k, v) -> m.put(k, v.get().checkpointId() == null ? "" : v.get().checkpointId()));
        return m;
    }

    public ZhyperEngine base() {
        return base;
    }

    @Override
    public void close() {
        for (AtomicReference<EngineHandle> r : arms.values()) {
            EngineHandle h = r.get();
            if (h != baseHandle) h.retire();
        }
        base.close();
    }
}
