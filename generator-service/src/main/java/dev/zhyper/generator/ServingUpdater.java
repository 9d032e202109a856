package dev.zhyper.generator;

import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.service.common.CheckpointPaths;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.ProtoJson;
import dev.zhyper.service.common.ServingState;
import io.micrometer.core.instrument.Gauge;
import dev.zhyper.service.common.OwnedMeters;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Single-threaded (the follower's thread).
 */
public final class ServingUpdater {

    private static final Logger LOG = Logger.getLogger(ServingUpdater.class);

    private final Serving serving;
    private final DeadLetterPublisher deadLetters;
    private final MeterRegistry registry;
    private final CheckpointPaths paths;
    private final Announcements announcements = new Announcements();
    private final OwnedMeters gauges;
    private volatile ServingState applied = ServingState.EMPTY;

    public ServingUpdater(Serving serving, DeadLetterPublisher deadLetters, MeterRegistry registry,
                          CheckpointPaths paths) {
        this.serving = serving;
        this.paths = paths;
        this.deadLetters = deadLetters;
        this.registry = registry;
        this.gauges = new OwnedMeters(registry);
        gauges.own(Gauge.builder("zhyper.generator.canary.sequence", this, u -> u.applied.sequence())
                .description("sequence of the last applied checkpoint announcement").register(registry));
        gauges.own(Gauge.builder("zhyper.generator.canary.candidate.share", serving, Serving::candidateShare)
                .description("traffic share of the candidate arm within the control arm (0 = none)").register(registry));
    }

    /** Removes this updater's gauges (the follower that feeds it is closed). */
    public void close() {
        gauges.close();
    }

    /** The lifecycle state being served. */
    public ServingState state() {
        return applied;
    }

    /** The status and gate of the recently announced checkpoints (thread-safe). */
    public Announcements announcements() {
        return announcements;
    }

    /** Folds the history of the topic into the start state and loads it. */
    public void onHistory(List<ConsumerRecord<String, byte[]>> history) {
        List<ServingState.Announced> events = new ArrayList<>();
        Map<String, ConsumerRecord<String, byte[]>> recordOf = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : history) {
            CheckpointEvent e = decode(r);
            if (e != null) events.add(new ServingState.Announced(r, e));
        }
        ServingState s = ServingState.EMPTY;
        for (ServingState.Announced a : ServingState.inFoldOrder(events)) {
            ServingState.Transition t = s.apply(a.event(), false);
            if (t.kind() == ServingState.Kind.INVALID) {
                refuse(a.record(), "checkpoint event invalid: " + t.reason());
                continue;
            }
            s = t.state();
            if (t.kind() != ServingState.Kind.STALE) announcements.note(a.event());
            recordOf.put(a.event().getCheckpointId(), a.record());
        }
        if (!serving.canaryEnabled()) {
            LOG.infof("history of %d checkpoint events not applied: no arm '%s'", history.size(), serving.controlArm());
            return;
        }
        LOG.infof("zhyper.checkpoints history: %d records folded into %s", history.size(), s);
        ServingState start = new ServingState(null, null, 0, s.sequence(), s.previousControl(), s.rejected());
        if (s.control() != null) {
            try {
                swapControl(ServingState.EMPTY, s.control());
                start = new ServingState(s.control(), null, 0, s.sequence(), s.previousControl(), s.rejected());
            } catch (RuntimeException ex) {
                refuse(recordOf.get(s.controlId()), "checkpoint refused: " + DeadLetterPublisher.reasonOf(ex));
                LOG.errorf("the promoted checkpoint %s cannot be served (%s): starting on the configured arms",
                        s.controlId(), ex.getMessage());
            }
        }
        applied = start;
        if (s.candidate() != null) {
            try {
                serving.setCandidate(paths.confine(s.candidate().uri()), s.candidate().sha256(), s.candidateId(),
                        s.candidateShare());
                applied = new ServingState(start.control(), s.candidate(), s.candidateShare(), s.sequence(),
                        s.previousControl(), s.rejected());
            } catch (RuntimeException ex) {
                refuse(recordOf.get(s.candidateId()), "checkpoint refused: " + DeadLetterPublisher.reasonOf(ex));
            }
        }
        LOG.infof("generator starts serving %s (arms %s)", applied, serving.armCheckpoints());
    }

    /** Applies one live announcement. */
    public void onLive(ConsumerRecord<String, byte[]> r) {
        CheckpointEvent e = decode(r);
        if (e == null) return;
        if (!serving.canaryEnabled()) {
            LOG.infof("ignoring checkpoint %s: zhyper.ab.follow-arm '%s' is not an arm", e.getCheckpointId(),
                    serving.controlArm());
            count("ignored");
            return;
        }
        ServingState prev = applied;
        ServingState.Transition t = prev.apply(e, true);
        switch (t.kind()) {
            case STALE -> {
                LOG.warnf("ignoring %s %s: %s", e.getStatus(), e.getCheckpointId(), t.reason());
                count("stale");
            }
            case INVALID -> refuse(r, "checkpoint event invalid: " + t.reason());
            case NOT_SERVED -> {
                LOG.infof("%s %s: %s", e.getStatus(), e.getCheckpointId(), t.reason());
                applied = t.state();
                announcements.note(e);
                count("not_served");
            }
            case LEGACY -> {
                try { // as before the lifecycle: the followed arm follows the announced checkpoint (re-verified)
                    serving.swap(serving.controlArm(), paths.confine(e.getUri()), e.getSha256(), e.getCheckpointId());
                    if (Objects.equals(prev.candidateId(), e.getCheckpointId())) serving.dropCandidate();
                    applied = t.state();
                    announcements.note(e);
                    count("swapped");
                } catch (RuntimeException ex) {
                    refuse(r, "checkpoint refused: " + DeadLetterPublisher.reasonOf(ex));
                }
            }
            case APPLIED -> {
                try {
                    applied = reconcile(prev, t.state());
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
                } catch (RuntimeException ex) {
                    refuse(r, "checkpoint refused: " + DeadLetterPublisher.reasonOf(ex));
                }
            }
        }
    }

    /**
     * Moves Serving from {@code prev} to {@code next}; returns what is served afterwards. The control changes first
     * (throws and changes nothing when it fails); a candidate that fails to load is withdrawn (and rethrown).
     */
    private ServingState reconcile(ServingState prev, ServingState next) {
        if (!Objects.equals(prev.controlId(), next.controlId())) swapControl(prev, next.control());
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
                    applied = new ServingState(next.control(), null, 0, next.sequence(), next.previousControl(),
                            next.rejected());
                    throw ex;
                }
            }
        }
        return next;
    }

    private void swapControl(ServingState prev, ServingState.Ref control) {
        if (!serving.promoteCandidate(control.checkpointId())) {
            serving.swap(serving.controlArm(), paths.confine(control.uri()), control.sha256(), control.checkpointId());
        }
    }

    /** Decodes and checks a record; null (after a dead letter) when it is not a usable CheckpointEvent. */
    private CheckpointEvent decode(ConsumerRecord<String, byte[]> r) {
        try {
            CheckpointEvent e = ProtoJson.decode(r.value(), CheckpointEvent::newBuilder);
            if (e.getCheckpointId().isBlank()) throw new IllegalArgumentException("CheckpointEvent.checkpoint_id is blank");
            boolean served = e.getStatus() != CheckpointStatus.UNGATED && e.getStatus() != CheckpointStatus.REJECTED;
            if (served && e.getUri().isBlank()) throw new IllegalArgumentException("CheckpointEvent.uri is blank");
            if (served && e.getSha256().isBlank()) throw new IllegalArgumentException("CheckpointEvent.sha256 is blank");
            return e;
        } catch (RuntimeException ex) {
            refuse(r, "checkpoint refused: " + DeadLetterPublisher.reasonOf(ex));
            return null;
        }
    }

    private void refuse(ConsumerRecord<String, byte[]> r, String reason) {
        LOG.errorf("%s; still serving %s", reason, serving.armCheckpoints());
        count("refused");
        if (r == null) return;
        deadLetters.send(r, reason);
    }

    private void count(String result) {
        registry.counter("zhyper.generator.checkpoints", "result", result).increment();
    }
}
