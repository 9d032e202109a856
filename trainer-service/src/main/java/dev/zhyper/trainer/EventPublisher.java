package dev.zhyper.trainer;

import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointInfo;
import dev.zhyper.proto.v1.TrainingProgressEvent;
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
 * Publishes the trainer's events with a plain idempotent producer: {@code CheckpointEvent} on
 * {@code zhyper.checkpoints} (key = checkpoint id; waits for the broker's acknowledgement, because offsets of the
 * examples a checkpoint covers are committed only after it is announced) and {@code TrainingProgressEvent} on
 * {@code zhyper.training.progress} (key = job id; fire and forget). Thread-safe.
 */
public class EventPublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EventPublisher.class);

    private final KafkaProducer<String, byte[]> producer;

    public EventPublisher(String bootstrap) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cfg.put(ProducerConfig.ACKS_CONFIG, "all");
        cfg.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        cfg.put(ProducerConfig.CLIENT_ID_CONFIG, "zhyper-trainer-" + ProcessHandle.current().pid());
        cfg.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        producer = new KafkaProducer<>(cfg, new StringSerializer(), new ByteArraySerializer());
    }

    /** The CheckpointEvent announcing {@code info} (written by {@code jobId}; promoted or not). */
    public static CheckpointEvent checkpointEvent(CheckpointInfo info, String jobId, boolean promoted) {
        return CheckpointEvent.newBuilder()
                .setSchemaVersion(Topics.SCHEMA_VERSION)
                .setCheckpointId(info.getCheckpointId())
                .setUri(info.getUri())
                .setSha256(info.getSha256())
                .setStep(info.getStep())
                .putAllMetrics(info.getMetricsMap())
                .setPromoted(promoted)
                .setJobId(jobId == null ? "" : jobId)
                .build();
    }

    /** Sends the event and waits (30 s at most) for the acknowledgement; throws if it does not come. */
    public void publishCheckpoint(CheckpointEvent event) {
        try {
            producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, event.getCheckpointId(), ProtoJson.encode(event)))
                    .get(30, TimeUnit.SECONDS);
            LOG.infof("published checkpoint %s (step %d, promoted %s) at %s", event.getCheckpointId(),
                    event.getStep(), event.getPromoted(), event.getUri());
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
