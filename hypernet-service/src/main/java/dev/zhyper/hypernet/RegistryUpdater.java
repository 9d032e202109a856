package dev.zhyper.hypernet;

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
import java.util.regex.Pattern;

/**
 * Applies the announcements of {@code zhyper.checkpoints} to the {@link CheckpointRegistry} (plain Java, driven by a
 * {@link dev.zhyper.service.common.CheckpointFollower}), by the rules of {@link ServingState}: the promoted control
 * is the current checkpoint (requests without checkpoint_id), the CANDIDATE is loaded and pinned beside it (the
 * generator's candidate arm asks for it by id); REJECTED / UNGATED are never loaded; an older sequence than the last
 * applied is ignored and counted ({@code zhyper_hypernet_checkpoints_stale_total}). At start the topic's history is
 * folded (in sequence order) and its control + candidate loaded; {@code zhyper.checkpoint.dir} serves when it holds
 * no promotion. Unsequenced events of older producers switch the current checkpoint as before
 * ({@code zhyper.hypernet.promoted-only}; at start only promoted ones count). Every checkpoint is verified before it
 * is used; refusals go to {@code zhyper.dlq.zhyper.checkpoints} with the reason and the previous state keeps serving.
 * An event's uri must name a directory under {@code zhyper.checkpoints.roots} ({@link CheckpointPaths}); anything
 * else is refused with a reason that names no path.
 */
public final class RegistryUpdater {

    private static final Logger LOG = Logger.getLogger(RegistryUpdater.class);
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private final CheckpointRegistry registry;
    private final boolean promotedOnly;
    private final DeadLetterPublisher deadLetters;
    private final MeterRegistry meters;
    private final CheckpointPaths paths;
    private volatile ServingState applied = ServingState.EMPTY;
    private final OwnedMeters gauges;

    public RegistryUpdater(CheckpointRegistry registry, boolean promotedOnly, DeadLetterPublisher deadLetters,
                           MeterRegistry meters, CheckpointPaths paths) {
        this.registry = registry;
        this.paths = paths;
        this.promotedOnly = promotedOnly;
        this.deadLetters = deadLetters;
        this.meters = meters;
        this.gauges = new OwnedMeters(meters);
        gauges.own(Gauge.builder("zhyper.hypernet.canary.sequence", this, u -> u.applied.sequence())
                .description("sequence of the last applied checkpoint announcement").register(meters));
    }

    /** Removes this updater's gauges (the follower that feeds it is closed). */
    public void close() {
        gauges.close();
    }

    public ServingState state() {
        return applied;
    }

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
            recordOf.put(a.event().getCheckpointId(), a.record());
        }
        LOG.infof("zhyper.checkpoints history: %d records folded into %s", history.size(), s);
        ServingState start = new ServingState(null, null, 0, s.sequence(), s.previousControl(), s.rejected());
        if (s.control() != null) {
            try {
                install(s.control(), true);
                start = new ServingState(s.control(), null, 0, s.sequence(), s.previousControl(), s.rejected());
            } catch (RuntimeException ex) {
                refuse(recordOf.get(s.controlId()), "checkpoint refused: " + DeadLetterPublisher.reasonOf(ex));
            }
        }
        applied = start;
        if (s.candidate() != null) {
            try {
                install(s.candidate(), false);
                registry.setCandidate(s.candidateId());
                applied = new ServingState(start.control(), s.candidate(), s.candidateShare(), s.sequence(),
                        s.previousControl(), s.rejected());
            } catch (RuntimeException ex) {
                refuse(recordOf.get(s.candidateId()), "checkpoint refused: " + DeadLetterPublisher.reasonOf(ex));
            }
        }
        LOG.infof("hypernet starts serving %s", applied);
    }

    public void onLive(ConsumerRecord<String, byte[]> r) {
        CheckpointEvent e = decode(r);
        if (e == null) return;
        ServingState prev = applied;
        ServingState.Transition t = prev.apply(e, !promotedOnly);
        switch (t.kind()) {
            case STALE -> {
                LOG.warnf("ignoring %s %s: %s", e.getStatus(), e.getCheckpointId(), t.reason());
                meters.counter("zhyper.hypernet.checkpoints.stale").increment();
            }
            case INVALID -> refuse(r, "checkpoint event invalid: " + t.reason());
            case NOT_SERVED -> {
                LOG.infof("%s %s: %s", e.getStatus(), e.getCheckpointId(), t.reason());
                applied = t.state();
            }
            case LEGACY, APPLIED -> {
                try {
                    String previous = registry.current() == null ? null : registry.current().id();
                    if (!Objects.equals(prev.controlId(), t.state().controlId()) || t.kind() == ServingState.Kind.LEGACY) {
                        install(t.state().control(), true);
                    }
                    if (!Objects.equals(registry.candidateId(), t.state().candidateId())) {
                        if (t.state().candidate() != null) install(t.state().candidate(), false);
                        registry.setCandidate(t.state().candidateId());
                    }
                    applied = t.state();
                    meters.counter("zhyper.hypernet.checkpoints.switched").increment();
                    LOG.infof("%s %s: %s (current %s, was %s; candidate %s)", e.getStatus(), e.getCheckpointId(),
                            t.reason(), registry.current() == null ? null : registry.current().id(), previous,
                            registry.candidateId());
                } catch (RuntimeException ex) {
                    refuse(r, "checkpoint refused: " + DeadLetterPublisher.reasonOf(ex));
                }
            }
        }
    }

    private void install(ServingState.Ref ref, boolean makeCurrent) {
        LoadedCheckpoint c = registry.loadAndInstall(paths.confine(ref.uri()), ref.sha256().toLowerCase(),
                ref.checkpointId(), makeCurrent);
        LOG.infof("loaded checkpoint %s (step %d, %s)%s", c.id(), c.step(), c.dir(), makeCurrent ? " as current" : "");
    }

    private CheckpointEvent decode(ConsumerRecord<String, byte[]> r) {
        try {
            CheckpointEvent e = ProtoJson.decode(r.value(), CheckpointEvent::newBuilder);
            if (e.getCheckpointId().isBlank()) throw new IllegalArgumentException("CheckpointEvent.checkpoint_id is blank");
            boolean served = e.getStatus() != CheckpointStatus.UNGATED && e.getStatus() != CheckpointStatus.REJECTED;
            if (served && e.getUri().isBlank()) throw new IllegalArgumentException("CheckpointEvent.uri is blank");
            if (served && !SHA256_HEX.matcher(e.getSha256()).matches()) {
                throw new IllegalArgumentException("CheckpointEvent.sha256 is not 64 hex digits: '" + e.getSha256() + "'");
            }
            return e;
        } catch (RuntimeException ex) {
            refuse(r, "checkpoint refused: " + DeadLetterPublisher.reasonOf(ex));
            return null;
        }
    }

    private void refuse(ConsumerRecord<String, byte[]> r, String reason) {
        LOG.errorf("%s; still serving %s", reason, registry.current() == null ? "nothing" : registry.current().id());
        meters.counter("zhyper.hypernet.checkpoints.refused").increment();
        if (r == null) return;
        deadLetters.send(r, reason);
    }
}
