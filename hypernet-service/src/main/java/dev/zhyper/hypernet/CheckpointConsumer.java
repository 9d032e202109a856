package dev.zhyper.hypernet;

import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.ProtoJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Consumes {@code zhyper.checkpoints} (CheckpointEvent JSON) and hot-swaps the current checkpoint without a restart:
 * the directory at {@code uri} is verified (every file's sha256 via Checkpoint.open, the event's sha256 against
 * the manifest fingerprint, the checkpoint id, the base model's shape, the embedder), loaded, and made current
 * atomically; requests already running finish on the old one. A refused checkpoint is logged and published with
 * its reason to {@code zhyper.dlq.zhyper.checkpoints}; the previous checkpoint keeps serving.
 */
@ApplicationScoped
public class CheckpointConsumer {

    private static final Logger LOG = Logger.getLogger(CheckpointConsumer.class);
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    @Inject
    CheckpointRegistry registry;

    @Inject
    HypernetConfig config;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    MeterRegistry meters;

    Counter switched;
    Counter refused;

    @PostConstruct
    void metrics() {
        switched = meters.counter("zhyper.hypernet.checkpoints.switched");
        refused = meters.counter("zhyper.hypernet.checkpoints.refused");
    }

    @Incoming("checkpoints")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        try {
            CheckpointEvent e = ProtoJson.decode(record.value(), CheckpointEvent::newBuilder);
            if (e.getCheckpointId().isBlank()) throw new IllegalArgumentException("CheckpointEvent.checkpoint_id is blank");
            if (e.getUri().isBlank()) throw new IllegalArgumentException("CheckpointEvent.uri is blank");
            if (!SHA256_HEX.matcher(e.getSha256()).matches()) {
                throw new IllegalArgumentException("CheckpointEvent.sha256 is not 64 hex digits: '" + e.getSha256() + "'");
            }
            if (config.promotedOnly() && !e.getPromoted()) {
                LOG.infof("checkpoint %s is not promoted; ignored (zhyper.hypernet.promoted-only=true)",
                        e.getCheckpointId());
                return;
            }
            String previous = registry.current() == null ? null : registry.current().id();
            LoadedCheckpoint c = registry.loadAndInstall(toPath(e.getUri()), e.getSha256().toLowerCase(),
                    e.getCheckpointId(), true);
            switched.increment();
            LOG.infof("serving checkpoint %s (step %d, %s) instead of %s", c.id(), c.step(), c.dir(), previous);
        } catch (RuntimeException ex) {
            String reason = "checkpoint refused: " + DeadLetterPublisher.reasonOf(ex);
            LOG.errorf("%s; still serving %s", reason, registry.current() == null ? "nothing" : registry.current().id());
            refused.increment();
            deadLetters.publish(record.topic(), record.partition(), record.offset(),
                    record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value(),
                    record.headers(), reason);
        }
    }

    /** {@code file:///...} or a plain local path; other schemes are not supported (yet). */
    static Path toPath(String uri) {
        String u = uri.trim();
        if (u.startsWith("file:")) return Path.of(URI.create(u));
        if (u.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            throw new IllegalArgumentException("unsupported checkpoint uri scheme: " + u + " (file: or a local path)");
        }
        return Path.of(u);
    }
}
