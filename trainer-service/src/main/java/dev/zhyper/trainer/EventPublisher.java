package dev.zhyper.trainer;

import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointInfo;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.proto.v1.TrainingProgressEvent;
import dev.zhyper.service.common.KafkaClientConfig;
import dev.zhyper.service.common.ProtoJson;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes the trainer's events with a plain idempotent producer: {@code CheckpointEvent} (only through
 * {@link #announce}, the one place that numbers announcements) on
 * {@code zhyper.checkpoints} (key = checkpoint id; waits for the broker's acknowledgement, because offsets of the
 * examples a checkpoint covers are committed only after it is announced) and {@code TrainingProgressEvent} on
 * {@code zhyper.training.progress} (key = job id; fire and forget). Thread-safe.
 */
public class EventPublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EventPublisher.class);

    private final KafkaProducer<String, byte[]> producer;
    private final TrainerState state;

    public EventPublisher(KafkaClientConfig kafka, TrainerState state) {
        this.state = state;
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ProducerConfig.ACKS_CONFIG, "all");
        cfg.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        cfg.put(ProducerConfig.CLIENT_ID_CONFIG, "zhyper-trainer-" + ProcessHandle.current().pid());
        cfg.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        producer = new KafkaProducer<>(kafka.producer(cfg), new StringSerializer(), new ByteArraySerializer());
    }

    /** The CheckpointEvent announcing {@code info} (written by {@code jobId}; promoted or not). */
    public static CheckpointEvent checkpointEvent(CheckpointInfo info, String jobId, boolean promoted) {
        return eventFor(info, jobId).setPromoted(promoted).build();
    }

    /** A CheckpointEvent builder describing {@code info} (id, uri, sha256, step, metrics, job id); no status yet. */
    public static CheckpointEvent.Builder eventFor(CheckpointInfo info, String jobId) {
        return CheckpointEvent.newBuilder()
                .setSchemaVersion(Topics.SCHEMA_VERSION)
                .setCheckpointId(info.getCheckpointId())
                .setUri(info.getUri())
                .setSha256(info.getSha256())
                .setStep(info.getStep())
                .putAllMetrics(info.getMetricsMap())
                .setJobId(jobId == null ? "" : jobId);
    }

    /**
     * THE way to announce a checkpoint (every status: UNGATED, CANDIDATE, REJECTED, PROMOTED, ROLLED_BACK): sets
     * schema_version and the next {@code sequence} (monotonic across restarts, see {@link TrainerState#nextSequence}),
     * sets {@code promoted} when the status is PROMOTED, sends it and waits for the broker's acknowledgement, then
     * records the status in the trainer state ({@link #record}). Returns the event as sent.
     *
     * @throws IllegalStateException when the broker does not acknowledge it (nothing is recorded then)
     */
    public CheckpointEvent announce(CheckpointEvent.Builder event) {
        if (event.getStatus() == CheckpointStatus.PROMOTED) event.setPromoted(true);
        if (event.getStatus() == CheckpointStatus.CHECKPOINT_STATUS_UNSPECIFIED && event.getPromoted()) {
            event.setStatus(CheckpointStatus.PROMOTED);
        }
        CheckpointEvent ev = event.setSchemaVersion(Topics.SCHEMA_VERSION).setSequence(state.nextSequence()).build();
        send(ev);
        record(state, ev);
        return ev;
    }

    /**
     * Records an announcement in the trainer state. ROLLED_BACK marks the WITHDRAWN checkpoint
     * ({@code rolled_back_checkpoint_id}; the event's {@code checkpoint_id} is the one served afterwards), so that no
     * round continues from a rolled-back candidate; every other status marks the event's checkpoint.
     */
    static void record(TrainerState state, CheckpointEvent ev) {
        CheckpointStatus status = statusOf(ev);
        String id = status == CheckpointStatus.ROLLED_BACK && !ev.getRolledBackCheckpointId().isBlank()
                ? ev.getRolledBackCheckpointId() : ev.getCheckpointId();
        state.announced(id, status, ev.getSequence());
    }

    /** Notes a sequence seen on zhyper.checkpoints, so that the next announcement's sequence is above it. */
    public void observeSequence(long seen) {
        state.observeSequence(seen);
    }

    /** The last sequence handed out or seen. */
    public long lastSequence() {
        return state.lastSequence();
    }

    /** The status an event means (UNSPECIFIED of older producers: promoted -> PROMOTED, else UNGATED). */
    static CheckpointStatus statusOf(CheckpointEvent ev) {
        if (ev.getStatus() != CheckpointStatus.CHECKPOINT_STATUS_UNSPECIFIED
                && ev.getStatus() != CheckpointStatus.UNRECOGNIZED) return ev.getStatus();
        return ev.getPromoted() ? CheckpointStatus.PROMOTED : CheckpointStatus.UNGATED;
    }

    /** Announces a ready event through {@link #announce} (which assigns its sequence). */
    public void publishCheckpoint(CheckpointEvent event) {
        announce(event.toBuilder());
    }

    /** Sends the event and waits (30 s at most) for the acknowledgement; throws if it does not come. */
    private void send(CheckpointEvent event) {
        try {
            producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, event.getCheckpointId(), ProtoJson.encode(event)))
                    .get(30, TimeUnit.SECONDS);
            LOG.infof("announced checkpoint %s: %s (sequence %d, step %d%s) at %s", event.getCheckpointId(),
                    statusOf(event), event.getSequence(), event.getStep(),
                    event.hasGate() ? ", gate: " + event.getGate().getReason() : "", event.getUri());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing checkpoint " + event.getCheckpointId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("publishing checkpoint " + event.getCheckpointId() + " failed", e);
        }
    }

    /** Sends a progress event without waiting (a lost progress event is harmless). */
    public void publishProgress(TrainingProgressEvent event) {
        producer.send(new ProducerRecord<>(Topics.TRAINING_PROGRESS, event.getJobId(), ProtoJson.encode(event)),
                (md, e) -> {
                    if (e != null) LOG.debugf("progress event of %s not sent: %s", event.getJobId(), e.toString());
                });
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
