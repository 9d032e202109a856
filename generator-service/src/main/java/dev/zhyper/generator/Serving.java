package dev.zhyper.generator;

import dev.zhyper.core.engine.ZhyperEngine;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.checkpoint.Checkpoint;
import dev.zhyper.service.common.CheckpointPaths;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the generator serves: the base model (loaded once, owned by a base-only engine) and the A/B arms, each
 * pointing at the {@link EngineHandle} of its current checkpoint. {@link #swap} replaces one arm's checkpoint
 * without a restart.
 *
 * <p>Canary: the arm {@code controlArm} ({@code zhyper.ab.follow-arm}) serves the promoted checkpoint; while a
 * candidate is set ({@link #setCandidate}), the arm {@code candidateArm} serves it and takes {@code share} of the
 * control arm's weight (the control arm keeps {@code 1 - share}; other configured arms are untouched). The arm list
 * is [arms before control, control, candidate, arms after control], so keys outside the split keep their arm.
 * {@link #route} picks the arm and acquires its engine in one step (an arm withdrawn meanwhile is re-chosen).
 */
public final class Serving implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Serving.class);

    /** Name of the single arm when zhyper.ab.arms is not set (and the default control arm of the canary). */
    public static final String DEFAULT_ARM = "control";

    /** Default name of the canary's candidate arm ({@code zhyper.canary.candidate-arm}). */
    public static final String CANDIDATE_ARM = "candidate";

    private final ZhyperEngine base;
    private final EngineHandle baseHandle;
    private final List<ArmChooser.ArmSpec> configured;
    private final String controlArm;
    private final String candidateArm;
    private volatile ArmChooser chooser;
    private final Map<String, AtomicReference<EngineHandle>> arms = new ConcurrentHashMap<>();
    /** Traffic share of the candidate (0 = no candidate); guarded by this. */
    private double candidateShare;

    private Serving(ZhyperEngine base, List<ArmChooser.ArmSpec> configured, String controlArm, String candidateArm) {
        this.base = base;
        this.baseHandle = new EngineHandle(base, null, false);
        this.configured = List.copyOf(configured);
        this.controlArm = controlArm;
        this.candidateArm = candidateArm;
        this.chooser = new ArmChooser(configured);
    }

    /** Loads the base model and every arm's checkpoint (any failure aborts startup); no canary. */
    public static Serving open(Path modelDir, String checkpointDir, String armsSpec, ModelOptions options) {
        return open(modelDir, checkpointDir, armsSpec, options, DEFAULT_ARM, CANDIDATE_ARM);
    }

    /**
     * Loads the base model and every arm's checkpoint (any failure aborts startup). Without {@code armsSpec} there
     * is one arm named {@code controlArm} serving {@code checkpointDir}.
     */
    public static Serving open(Path modelDir, String checkpointDir, String armsSpec, ModelOptions options,
                               String controlArm, String candidateArm) {
        List<ArmChooser.ArmSpec> specs = armsSpec == null || armsSpec.isBlank()
                ? List.of(new ArmChooser.ArmSpec(controlArm, checkpointDir == null || checkpointDir.isBlank()
                ? null : checkpointDir, 1))
                : ArmChooser.parse(armsSpec);
        if (specs.stream().anyMatch(a -> a.name().equals(candidateArm))) {
            throw new IllegalArgumentException("zhyper.ab.arms must not name an arm '" + candidateArm
                    + "': that is the canary's candidate arm (zhyper.canary.candidate-arm)");
        }
        ZhyperEngine base = ZhyperEngine.open(modelDir, null, options);
        Serving s = new Serving(base, specs, controlArm, candidateArm);
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

    /** "file:///x" or a plain path (the one parser, {@link CheckpointPaths#parse}). */
    public static Path toPath(String uriOrPath) {
        return CheckpointPaths.parse(uriOrPath);
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

    /** An arm chosen for a request and its engine, acquired (the caller must release the handle). */
    public record Route(String arm, EngineHandle handle) {}

    /** Chooses the arm of {@code abKey} and acquires its current engine, atomically with respect to arm changes. */
    public Route route(String abKey) {
        while (true) {
            ArmChooser c = chooser;
            String arm = c.choose(abKey).name();
            AtomicReference<EngineHandle> ref = arms.get(arm);
            if (ref == null) continue; // the candidate was withdrawn after we read the chooser
            EngineHandle h = ref.get();
            if (h.acquire()) return new Route(arm, h);
            Thread.onSpinWait();
        }
    }

    public String controlArm() {
        return controlArm;
    }

    public String candidateArm() {
        return candidateArm;
    }

    /** Whether the canary can run: the control arm exists. */
    public boolean canaryEnabled() {
        return hasArm(controlArm);
    }

    /** The candidate's checkpoint id, or null without a candidate. */
    public synchronized String candidateId() {
        AtomicReference<EngineHandle> r = arms.get(candidateArm);
        return r == null ? null : r.get().checkpointId();
    }

    public synchronized double candidateShare() {
        return candidateShare;
    }

    /** The control arm's checkpoint id ("" for the base model, null without a control arm). */
    public String controlId() {
        AtomicReference<EngineHandle> r = arms.get(controlArm);
        return r == null ? null : r.get().checkpointId() == null ? "" : r.get().checkpointId();
    }

    /**
     * Makes the checkpoint in {@code dir} the candidate at {@code share} of the control arm's traffic (verified and
     * loaded first: throws and changes nothing when that fails). The same checkpoint already serving as candidate
     * only changes its share.
     */
    public void setCandidate(Path dir, String expectedSha256, String expectedId, double share) {
        if (!canaryEnabled()) throw new IllegalStateException("no control arm '" + controlArm + "'");
        if (!(share > 0 && share <= 1)) throw new IllegalArgumentException("share must be in (0, 1], got " + share);
        EngineHandle next = null;
        synchronized (this) {
            AtomicReference<EngineHandle> cur = arms.get(candidateArm);
            if (cur != null && expectedId.equals(cur.get().checkpointId())) {
                candidateShare = share;
                chooser = new ArmChooser(specs());
                LOG.infof("candidate %s now at traffic share %s", expectedId, share);
                return;
            }
        }
        next = load(dir, expectedSha256, expectedId);
        EngineHandle old;
        synchronized (this) {
            AtomicReference<EngineHandle> cur = arms.get(candidateArm);
            old = cur == null ? null : cur.getAndSet(next);
            if (cur == null) arms.put(candidateArm, new AtomicReference<>(next));
            candidateShare = share;
            chooser = new ArmChooser(specs());
        }
        if (old != null && old != baseHandle) old.retire();
        LOG.infof("arm %s serves candidate %s at share %s of arm %s (was %s)", candidateArm, next.checkpointId(),
                share, controlArm, old == null ? "none" : old.checkpointId());
    }

    /** Withdraws the candidate (its engine closes when its last batch ends); false if there was none. */
    public boolean dropCandidate() {
        EngineHandle old;
        synchronized (this) {
            AtomicReference<EngineHandle> cur = arms.get(candidateArm);
            if (cur == null) return false;
            candidateShare = 0;
            chooser = new ArmChooser(specs());
            arms.remove(candidateArm);
            old = cur.get();
        }
        if (old != baseHandle) old.retire();
        LOG.infof("candidate %s withdrawn", old.checkpointId());
        return true;
    }

    /**
     * The candidate becomes the control: its loaded engine moves to the control arm (no reload), the previous
     * control's engine is retired. False (nothing changed) unless {@code id} is the candidate.
     */
    public boolean promoteCandidate(String id) {
        EngineHandle old;
        EngineHandle moved;
        synchronized (this) {
            AtomicReference<EngineHandle> cand = arms.get(candidateArm);
            AtomicReference<EngineHandle> ctl = arms.get(controlArm);
            if (cand == null || ctl == null || !id.equals(cand.get().checkpointId())) return false;
            moved = cand.get();
            old = ctl.getAndSet(moved);
            candidateShare = 0;
            chooser = new ArmChooser(specs());
            arms.remove(candidateArm);
        }
        if (old != baseHandle) old.retire();
        LOG.infof("candidate %s promoted: arm %s serves it (was %s)", moved.checkpointId(), controlArm,
                old.checkpointId());
        return true;
    }

    /** The arm list with the candidate split out of the control arm (guarded by this). */
    private List<ArmChooser.ArmSpec> specs() {
        if (candidateShare <= 0 || !arms.containsKey(candidateArm)) return configured;
        List<ArmChooser.ArmSpec> out = new ArrayList<>();
        for (ArmChooser.ArmSpec a : configured) {
            if (!a.name().equals(controlArm)) {
                out.add(a);
                continue;
            }
            if (candidateShare < 1) out.add(new ArmChooser.ArmSpec(a.name(), a.checkpointDir(), a.weight() * (1 - candidateShare)));
            out.add(new ArmChooser.ArmSpec(candidateArm, null, a.weight() * candidateShare));
        }
        return out;
    }

    /** The current arm chooser (a snapshot: it changes with the canary; prefer {@link #route}). */
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

    /** Arm name → current checkpoint id ("" for the base model), in the chooser's order. */
    public Map<String, String> armCheckpoints() {
        Map<String, String> m = new LinkedHashMap<>();
        for (ArmChooser.ArmSpec a : chooser.arms()) {
            AtomicReference<EngineHandle> v = arms.get(a.name());
            if (v != null) m.put(a.name(), v.get().checkpointId() == null ? "" : v.get().checkpointId());
        }
        arms.forEach((k, v) -> m.putIfAbsent(k, v.get().checkpointId() == null ? "" : v.get().checkpointId()));
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
