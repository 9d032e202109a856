package dev.zhyper.generator;

import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.ProtoJson;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;

/**
 * Hot swap: consumes {@code zhyper.checkpoints} (CheckpointEvent JSON) and points the arm named by
 * {@code zhyper.ab.follow-arm} at the announced checkpoint, without a restart. The checkpoint directory
 * ({@code uri}: {@code file:///...} or a plain path) is verified (every file's sha256 against the manifest, the
 * event's {@code sha256} against the manifest fingerprint, the event's checkpoint id against the manifest's) before
 * anything changes; in-flight batches finish on the previous engine, which is closed when its last batch ends.
 * A record that cannot be decoded, or a checkpoint that fails verification or loading, is REFUSED to
 * {@code zhyper.dlq.zhyper.checkpoints} with the reason, and the previous checkpoint keeps serving.
 * Events are applied whether or not {@code promoted} is set (the follow arm follows the newest announced checkpoint).
 */
@ApplicationScoped
public class CheckpointConsumer {

    private static final Logger LOG = Logger.getLogger(CheckpointConsumer.class);

    @Inject
    Serving serving;

    @Inject
    GeneratorSettings settings;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    MeterRegistry registry;

    @Incoming("checkpoints")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        try {
            CheckpointEvent e = ProtoJson.decode(record.value(), CheckpointEvent::newBuilder);
            if (e.getCheckpointId().isBlank()) throw new IllegalArgumentException("CheckpointEvent.checkpoint_id is blank");
            if (e.getUri().isBlank()) throw new IllegalArgumentException("CheckpointEvent.uri is blank");
            if (e.getSha256().isBlank()) throw new IllegalArgumentException("CheckpointEvent.sha256 is blank");
            if (!serving.hasArm(settings.followArm)) {
                LOG.infof("ignoring checkpoint %s: zhyper.ab.follow-arm '%s' is not an arm", e.getCheckpointId(),
                        settings.followArm);
                registry.counter("zhyper.generator.checkpoints", "result", "ignored").increment();
                return;
            }
            serving.swap(settings.followArm, Serving.toPath(e.getUri()), e.getSha256(), e.getCheckpointId());
            registry.counter("zhyper.generator.checkpoints", "result", "swapped").increment();
        } catch (RuntimeException ex) {
            deadLetters.publish(record.topic(), record.partition(), record.offset(),
                    record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value(),
                    record.headers(), "checkpoint refused: " + DeadLetterPublisher.reasonOf(ex));
            registry.counter("zhyper.generator.checkpoints", "result", "refused").increment();
        }
    }
}
