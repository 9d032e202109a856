package dev.zhyper.generator;

import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.service.common.CheckpointPaths;
import dev.zhyper.service.common.CheckpointUpdater;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.ServingState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.util.Objects;

/**
 * Applies the announcements of {@code zhyper.checkpoints} to {@link Serving} (plain Java, driven by a
 * {@link dev.zhyper.service.common.CheckpointFollower}): the history at start is folded ({@link ServingState}, in
 * sequence order) into the current control + candidate, which are loaded before serving; then each live event moves
 * the state on. PROMOTED → the control arm; CANDIDATE → the candidate arm at its traffic share; REJECTED / UNGATED →
 * never served; ROLLED_BACK → candidate withdrawn or control reverted; a lower sequence than the last applied →
 * ignored and counted ({@code zhyper_generator_checkpoints_total{result="stale"}}). Unsequenced events of older
 * producers swap the control arm as before (at start only promoted ones count). Every checkpoint is verified
 * (files' sha256, the event's sha256 = manifest fingerprint, the id) before anything changes; an undecodable event,
 * an invalid one or a checkpoint that fails verification goes to {@code zhyper.dlq.zhyper.checkpoints} with the
 * reason, and what was served keeps serving. An event's uri must name a directory under
 * {@code zhyper.checkpoints.roots} ({@link CheckpointPaths}); the reason of that refusal names no path.
 * Single-threaded (the follower's thread). Decoding, folding, refusing: {@link CheckpointUpdater}; here only what
 * serving a checkpoint means for the arms of {@link Serving}.
 */
public final class ServingUpdater extends CheckpointUpdater {

    private static final Logger LOG = Logger.getLogger(ServingUpdater.class);

    private final Serving serving;
    private final MeterRegistry registry;
    private final Announcements announcements = new Announcements();

    public ServingUpdater(Serving serving, DeadLetterPublisher deadLetters, MeterRegistry registry,
                          CheckpointPaths paths) {
        super("generator", deadLetters, registry, paths);
        this.serving = serving;
        this.registry = registry;
        gauges.own(Gauge.builder("zhyper.generator.canary.candidate.share", serving, Serving::candidateShare)
                .description("traffic share of the candidate arm within the control arm (0 = none)").register(registry));
    }

    /** The status and gate of the recently announced checkpoints (thread-safe). */
    public Announcements announcements() {
        return announcements;
    }

    @Override
    protected String serving() {
        return "arms " + serving.armCheckpoints();
    }

    @Override
    protected void folded(ServingState.Transition t, CheckpointEvent e) {
        if (t.kind() != ServingState.Kind.STALE) announcements.note(e);
    }

    @Override
    protected boolean servesHistory(int records) {
        if (serving.canaryEnabled()) return true;
        LOG.infof("history of %d checkpoint events not applied: no arm '%s'", records, serving.controlArm());
        return false;
    }

    @Override
    protected void serveControl(ServingState.Ref control) {
        swapControl(control);
    }

    @Override
    protected void serveCandidate(ServingState.Ref candidate, double share) {
        serving.setCandidate(paths.confine(candidate.uri()), candidate.sha256(), candidate.checkpointId(), share);
    }

    @Override
    protected boolean followsLive(CheckpointEvent e) {
        if (serving.canaryEnabled()) return true;
        LOG.infof("ignoring checkpoint %s: zhyper.ab.follow-arm '%s' is not an arm", e.getCheckpointId(),
                serving.controlArm());
        count("ignored");
        return false;
    }

    @Override
    protected boolean legacyFollowsUnpromoted() {
        return true;
    }

    @Override
    protected void notServed(CheckpointEvent e) {
        announcements.note(e);
        count("not_served");
    }

    @Override
    protected ServingState serve(ServingState prev, ServingState.Transition t, CheckpointEvent e) {
        if (t.kind() == ServingState.Kind.LEGACY) {
            // as before the lifecycle: the followed arm follows the announced checkpoint (re-verified)
            serving.swap(serving.controlArm(), paths.confine(e.getUri()), e.getSha256(), e.getCheckpointId());
            if (Objects.equals(prev.candidateId(), e.getCheckpointId())) serving.dropCandidate();
            announcements.note(e);
            count("swapped");
            return t.state();
        }
        ServingState next = reconcile(prev, t.state());
        announcements.note(e);
        count(switch (e.getStatus()) {
            case CANDIDATE -> "candidate";
            case PROMOTED -> "promoted";
            case ROLLED_BACK -> "rolled_back";
            case REJECTED -> "withdrawn";
            default -> "applied";
        });
        LOG.infof("%s %s (sequence %d): %s; arms %s", e.getStatus(), e.getCheckpointId(), e.getSequence(),
                t.reason(), serving.armCheckpoints());
        return next;
    }

    /**
     * Moves Serving from {@code prev} to {@code next}; returns what is served afterwards. The control changes first
     * (throws and changes nothing when it fails); a candidate that fails to load is withdrawn (and rethrown).
     */
    private ServingState reconcile(ServingState prev, ServingState next) {
        if (!Objects.equals(prev.controlId(), next.controlId())) swapControl(next.control());
        boolean candidateChanged = !Objects.equals(serving.candidateId(), next.candidateId())
                || (next.candidate() != null && serving.candidateShare() != next.candidateShare());
        if (candidateChanged) {
            if (next.candidate() == null) {
                serving.dropCandidate();
            } else {
                try {
                    serving.setCandidate(paths.confine(next.candidate().uri()), next.candidate().sha256(),
                            next.candidateId(), next.candidateShare());
                } catch (RuntimeException ex) {
                    serving.dropCandidate();
                    applied(new ServingState(next.control(), null, 0, next.sequence(), next.previousControl(),
                            next.rejected()));
                    throw ex;
                }
            }
        }
        return next;
    }

    private void swapControl(ServingState.Ref control) {
        if (!serving.promoteCandidate(control.checkpointId())) {
            serving.swap(serving.controlArm(), paths.confine(control.uri()), control.sha256(), control.checkpointId());
        }
    }

    @Override
    protected void countRefused() {
        count("refused");
    }

    @Override
    protected void countStale() {
        count("stale");
    }

    private void count(String result) {
        registry.counter("zhyper.generator.checkpoints", "result", result).increment();
    }
}
