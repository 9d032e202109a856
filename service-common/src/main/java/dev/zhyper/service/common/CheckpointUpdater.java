package dev.zhyper.service.common;

import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoint-following logic that generator and hypernet share, driven by a {@link CheckpointFollower}: each
 * record of {@code zhyper.checkpoints} is decoded and checked (an undecodable or incomplete event is dead-lettered
 * with the reason), the history at start is folded by the rules of {@link ServingState} (in
 * {@link ServingState#inFoldOrder sequence order}) into the control + candidate that are served before anything
 * else, and each live event moves the state on. What "serving" a checkpoint means is the service's: the subclass
 * loads the control and the candidate ({@link #serveControl}, {@link #serveCandidate}) and applies a live transition
 * ({@link #serve}). Every refusal goes to {@code zhyper.dlq.zhyper.checkpoints} with its reason and what was served
 * keeps serving. Single-threaded (the follower's thread); {@link #state()} may be read from any thread.
 */
public abstract class CheckpointUpdater {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointUpdater.class);

    private final String service;
    private final DeadLetterPublisher deadLetters;
    /** Where announced checkpoints may lie ({@code zhyper.checkpoints.roots}). */
    protected final CheckpointPaths paths;
    /** This updater's function-backed meters, removed by {@link #close()}. */
    protected final OwnedMeters gauges;
    private volatile ServingState applied = ServingState.EMPTY;

    /**
     * @param service "generator" or "hypernet": names the gauge {@code zhyper.<service>.canary.sequence} and the logs
     */
    protected CheckpointUpdater(String service, DeadLetterPublisher deadLetters, MeterRegistry meters,
                                CheckpointPaths paths) {
        this.service = service;
        this.deadLetters = deadLetters;
        this.paths = paths;
        this.gauges = new OwnedMeters(meters);
        gauges.own(Gauge.builder("zhyper." + service + ".canary.sequence", this, u -> u.applied.sequence())
                .description("sequence of the last applied checkpoint announcement").register(meters));
    }

    /** Removes this updater's gauges (the follower that feeds it is closed). */
    public void close() {
        gauges.close();
    }

    /** The lifecycle state being served. */
    public ServingState state() {
        return applied;
    }

    /** Sets what is served (e.g. after a candidate failed to load in the middle of {@link #serve}). */
    protected void applied(ServingState state) {
        applied = state;
    }

    // ------------------------------------------------------------------------------------- what the service does

    /** What is served now, for the logs. */
    protected abstract String serving();

    /** Loads {@code control} and makes it the one served by default; throws (changing nothing) when it fails. */
    protected abstract void serveControl(ServingState.Ref control);

    /** Loads {@code candidate} and serves it at {@code share}; throws when it fails. */
    protected abstract void serveCandidate(ServingState.Ref candidate, double share);

    /**
     * Applies a live APPLIED or LEGACY transition from {@code prev}; returns what is served afterwards. Throws when
     * a checkpoint fails (the event is then refused).
     */
    protected abstract ServingState serve(ServingState prev, ServingState.Transition t, CheckpointEvent e);

    /** Whether an unsequenced live event without promoted=true switches the control. */
    protected abstract boolean legacyFollowsUnpromoted();

    /** Counts a refusal (the service's meter). */
    protected abstract void countRefused();

    /** Counts a live event ignored because its sequence is stale (the service's meter). */
    protected abstract void countStale();

    /** A live event applied without changing what is served. */
    protected void notServed(CheckpointEvent e) {
    }

    /** An event of the history that was folded (not refused). */
    protected void folded(ServingState.Transition t, CheckpointEvent e) {
    }

    /** Whether the history is served at all (false: it was folded, and nothing is loaded). */
    protected boolean servesHistory(int records) {
        return true;
    }

    /** Whether a live event is looked at (false: it is ignored, the subclass has said why). */
    protected boolean followsLive(CheckpointEvent e) {
        return true;
    }

    /** Checks the sha256 of an event whose checkpoint may be served. */
    protected void checkSha256(String sha256) {
        if (sha256.isBlank()) throw new IllegalArgumentException("CheckpointEvent.sha256 is blank");
    }

    // ----------------------------------------------------------------------------------------- the shared logic

    /** Folds the history of the topic into the start state and loads its control and candidate. */
    public void onHistory(List<ConsumerRecord<String, byte[]>> history) {
        List<ServingState.Announced> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : history) {
            CheckpointEvent e = decode(r);
            if (e != null) events.add(new ServingState.Announced(r, e));
        }
        Map<String, ConsumerRecord<String, byte[]>> recordOf = new HashMap<>();
        ServingState s = ServingState.EMPTY;
        for (ServingState.Announced a : ServingState.inFoldOrder(events)) {
            ServingState.Transition t = s.apply(a.event(), false);
            if (t.kind() == ServingState.Kind.INVALID) {
                refuse(a.record(), "checkpoint event invalid: " + t.reason());
                continue;
            }
            s = t.state();
            folded(t, a.event());
            recordOf.put(a.event().getCheckpointId(), a.record());
        }
        if (!servesHistory(history.size())) return;
        LOG.info("zhyper.checkpoints history: {} records folded into {}", history.size(), s);
        ServingState start = new ServingState(null, null, 0, s.sequence(), s.previousControl(), s.rejected());
        if (s.control() != null) {
            try {
                serveControl(s.control());
                start = new ServingState(s.control(), null, 0, s.sequence(), s.previousControl(), s.rejected());
            } catch (RuntimeException ex) {
                refuse(recordOf.get(s.controlId()), "checkpoint refused: " + DeadLetterPublisher.reasonOf(ex));
                LOG.error("the promoted checkpoint {} cannot be served ({}): starting on the configured checkpoint",
                        s.controlId(), ex.getMessage());
            }
        }
        applied = start;
        if (s.candidate() != null) {
            try {
                serveCandidate(s.candidate(), s.candidateShare());
                applied = new ServingState(start.control(), s.candidate(), s.candidateShare(), s.sequence(),
                        s.previousControl(), s.rejected());
            } catch (RuntimeException ex) {
                refuse(recordOf.get(s.candidateId()), "checkpoint refused: " + DeadLetterPublisher.reasonOf(ex));
            }
        }
        LOG.info("{} starts serving {} ({})", service, applied, serving());
    }

    /** Applies one live announcement. */
    public void onLive(ConsumerRecord<String, byte[]> r) {
        CheckpointEvent e = decode(r);
        if (e == null || !followsLive(e)) return;
        ServingState prev = applied;
        ServingState.Transition t = prev.apply(e, legacyFollowsUnpromoted());
        switch (t.kind()) {
            case STALE -> {
                LOG.warn("ignoring {} {}: {}", e.getStatus(), e.getCheckpointId(), t.reason());
                countStale();
            }
            case INVALID -> refuse(r, "checkpoint event invalid: " + t.reason());
            case NOT_SERVED -> {
                LOG.info("{} {}: {}", e.getStatus(), e.getCheckpointId(), t.reason());
                applied = t.state();
                notServed(e);
            }
            case LEGACY, APPLIED -> {
                try {
                    applied = serve(prev, t, e);
                } catch (RuntimeException ex) {
                    refuse(r, "checkpoint refused: " + DeadLetterPublisher.reasonOf(ex));
                }
            }
        }
    }

    /** Decodes and checks a record; null (after a dead letter) when it is not a usable CheckpointEvent. */
    private CheckpointEvent decode(ConsumerRecord<String, byte[]> r) {
        try {
            CheckpointEvent e = ProtoJson.decode(r.value(), CheckpointEvent::newBuilder);
            if (e.getCheckpointId().isBlank()) throw new IllegalArgumentException("CheckpointEvent.checkpoint_id is blank");
            boolean served = e.getStatus() != CheckpointStatus.UNGATED && e.getStatus() != CheckpointStatus.REJECTED;
            if (served && e.getUri().isBlank()) throw new IllegalArgumentException("CheckpointEvent.uri is blank");
            if (served) checkSha256(e.getSha256());
            return e;
        } catch (RuntimeException ex) {
            refuse(r, "checkpoint refused: " + DeadLetterPublisher.reasonOf(ex));
            return null;
        }
    }

    private void refuse(ConsumerRecord<String, byte[]> r, String reason) {
        LOG.error("{}; still serving {}", reason, serving());
        countRefused();
        if (r == null) return;
        deadLetters.send(r, reason);
    }
}
