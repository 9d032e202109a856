package dev.zhyper.trainer;

import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.service.common.CheckpointFollower;
import dev.zhyper.service.common.KafkaClientConfig;
import dev.zhyper.service.common.ProtoJson;
import dev.zhyper.service.common.ServingState;
import dev.zhyper.trainer.EventPublisher;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The trainer's view of what is served: follows {@code zhyper.checkpoints} from the beginning
 * ({@link CheckpointFollower}) and folds it into a {@link ServingState} (control, candidate, rejected ids, last
 * sequence) by the same rules as generator and hypernet; {@link #announce} publishes a serving decision with the
 * next sequence ({@link EventPublisher#announce}, the process's one sequencer) and applies it at once. Undecodable records are skipped here (the serving
 * services dead-letter them).
 */
@ApplicationScoped
@Startup
public class Ledger {

    private static final Logger LOG = Logger.getLogger(Ledger.class);

    @Inject
    EventPublisher events;

    /** How long startup waits for the history of zhyper.checkpoints (the last sequence, control, candidate). */
    @ConfigProperty(name = "zhyper.checkpoints.startup-wait-ms", defaultValue = "60000")
    long startupWaitMs;

    @Inject
    KafkaClientConfig kafka;

    private CheckpointFollower follower;
    private volatile ServingState state = ServingState.EMPTY;

    @PostConstruct
    void start() {
        follower = new CheckpointFollower(kafka, "zhyper-trainer-ledger-" + UUID.randomUUID(), this::onHistory,
                this::onLive).startAndAwait(Duration.ofMillis(startupWaitMs), () -> LOG.warnf(
                "zhyper.checkpoints not read within %d ms: announcements wait for it", startupWaitMs));
    }

    @PreDestroy
    void stop() {
        if (follower != null) follower.close();
    }

    public ServingState state() {
        return state;
    }

    public boolean caughtUp() {
        return follower != null && follower.caughtUp();
    }

    /** Publishes a serving decision with the next sequence and applies it; throws when the topic was never read. */
    public CheckpointEvent announce(CheckpointEvent.Builder b) {
        try { // outside the lock: the follower's thread takes it to fold the history
            if (!follower.awaitCaughtUp(Duration.ofMillis(startupWaitMs))) {
                throw new IllegalStateException("zhyper.checkpoints has not been read: the next sequence is unknown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        CheckpointEvent e;
        synchronized (this) {
            e = events.announce(b);
            apply(e);
        }
        LOG.infof("announced %s %s (sequence %d): %s", e.getStatus(), e.getCheckpointId(), e.getSequence(),
                e.getReason());
        return e;
    }

    private synchronized void onHistory(List<ConsumerRecord<String, byte[]>> history) {
        List<ServingState.Announced> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : history) {
            CheckpointEvent e = decode(r);
            if (e != null) events.add(new ServingState.Announced(r, e));
        }
        for (ServingState.Announced a : ServingState.inFoldOrder(events)) apply(a.event());
        LOG.infof("zhyper.checkpoints history: %d records, serving %s", history.size(), state);
    }

    private synchronized void onLive(ConsumerRecord<String, byte[]> r) {
        CheckpointEvent e = decode(r);
        if (e != null) apply(e);
    }

    private void apply(CheckpointEvent e) {
        events.observeSequence(e.getSequence());
        ServingState.Transition t = state.apply(e, false);
        if (t.kind() == ServingState.Kind.STALE) {
            LOG.warnf("ignoring %s %s: %s", e.getStatus(), e.getCheckpointId(), t.reason());
        } else if (t.kind() != ServingState.Kind.INVALID) {
            state = t.state();
        }
    }

    private static CheckpointEvent decode(ConsumerRecord<String, byte[]> r) {
        try {
            CheckpointEvent e = ProtoJson.decode(r.value(), CheckpointEvent::newBuilder);
            return e.getCheckpointId().isBlank() ? null : e;
        } catch (RuntimeException ex) {
            return null;
        }
    }
}
