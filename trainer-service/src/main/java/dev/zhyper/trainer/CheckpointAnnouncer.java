package dev.zhyper.trainer;

import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointInfo;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.proto.v1.GateResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.List;

/**
 * Turns a checkpoint just written under the root into an announcement on {@code zhyper.checkpoints}: gates it (when
 * {@code zhyper.gate.file} is set), announces it with its lineage and metrics, then applies {@link Retention}. At start,
 * {@link #recover} announces what a crash left written but unannounced.
 */
final class CheckpointAnnouncer {

    private static final Logger LOG = Logger.getLogger(CheckpointAnnouncer.class);

    private final CheckpointStore store;
    private final TrainerState state;
    private final EvaluationGate gate;
    private final EventPublisher events;
    private final RoundParents parents;
    private final Retention retention;
    private final Counter written;
    private final Counter rejected;

    CheckpointAnnouncer(CheckpointStore store, TrainerState state, EvaluationGate gate, EventPublisher events,
                        RoundParents parents, Retention retention, MeterRegistry registry) {
        this.store = store;
        this.state = state;
        this.gate = gate;
        this.events = events;
        this.parents = parents;
        this.retention = retention;
        written = Counter.builder("zhyper.trainer.checkpoints.written")
                .description("checkpoints written and announced").register(registry);
        rejected = Counter.builder("zhyper.trainer.checkpoints.rejected")
                .description("checkpoints the evaluation gate rejected (announced REJECTED, never served)")
                .register(registry);
    }

    /**
     * Gates and announces a checkpoint just written: CANDIDATE at {@code zhyper.gate.candidate-share} when it passes,
     * REJECTED (never served) when it does not, UNGATED without a gate. Then applies retention. Returns its info with
     * the announced metrics.
     */
    CheckpointInfo announceNew(Path dir) {
        CheckpointInfo info = store.info(dir); // verifies this one checkpoint
        CheckpointStore.Lineage l = store.lineage(dir);
        CheckpointEvent.Builder ev = EventPublisher.eventFor(info, l.jobId().isBlank()
                        ? TrainingService.jobOf(info) : l.jobId())
                .setParentCheckpointId(l.parentCheckpointId());
        if (l.examples() > 0) ev.putMetrics("examples", l.examples());
        if (gate.enabled()) {
            GateResult g = gate.judge(info.getCheckpointId(), dir, parents.served());
            ev.setGate(g).putMetrics("gate_accuracy", g.getAccuracy());
            if (!g.getServedCheckpointId().isEmpty()) {
                ev.putMetrics("gate_served_accuracy", g.getServedAccuracy());
            }
            if (g.getPassed()) {
                ev.setStatus(CheckpointStatus.CANDIDATE).setTrafficShare(gate.candidateShare());
            } else {
                ev.setStatus(CheckpointStatus.REJECTED);
                rejected.increment();
            }
        } else {
            ev.setStatus(CheckpointStatus.UNGATED);
        }
        events.announce(ev);
        written.increment();
        retention.apply();
        return info.toBuilder().putAllMetrics(ev.getMetricsMap()).build();
    }

    /**
     * At start, before any training: removes what interrupted rounds left in {@code .work/}, and announces checkpoints
     * that were written but never announced (a crash between the rename and the event): the newest of them is gated
     * and announced as a fresh one would be; older ones were superseded and are recorded UNGATED without an event.
     */
    void recover() {
        int cleaned = store.cleanWork();
        if (cleaned > 0) LOG.infof("removed %d leftover(s) of interrupted training from %s/.work", cleaned, store.root());
        List<CheckpointStore.Entry> unannounced = store.entries().stream()
                .filter(e -> state.of(e.id()).isEmpty()).toList();
        for (int i = 0; i < unannounced.size(); i++) {
            CheckpointStore.Entry e = unannounced.get(i);
            if (i < unannounced.size() - 1) {
                state.announced(e.id(), CheckpointStatus.UNGATED, state.lastSequence());
                continue;
            }
            try {
                LOG.infof("checkpoint %s was written but not announced (interrupted): announcing it now", e.name());
                announceNew(e.dir());
            } catch (RuntimeException ex) {
                LOG.errorf(ex, "cannot announce %s at start; it stays unannounced (retried at the next start)", e.dir());
            }
        }
    }
}
