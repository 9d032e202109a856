package dev.zhyper.embedder;

import dev.zhyper.core.embed.CachingEmbedder;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.ContextEvent;
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

/**
 * Consumes {@code zhyper.contexts} (ContextEvent JSON) and embeds each description once, so that the embedding is in
 * the cache before the hypernet asks for it. A record that cannot be decoded or validated — or whose embedding
 * fails — goes to {@code zhyper.dlq.zhyper.contexts} with the reason; consumption continues. Only a failing DLQ
 * write stops the channel (the record is then not committed and will be re-read).
 */
@ApplicationScoped
public class ContextConsumer {

    private static final Logger LOG = Logger.getLogger(ContextConsumer.class);

    @Inject
    CachingEmbedder embedder;

    @Inject
    EmbedderSettings config;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    MeterRegistry registry;

    Counter prewarmed;
    Counter deadLettered;

    @PostConstruct
    void metrics() {
        prewarmed = registry.counter("zhyper.embedder.contexts.prewarmed");
        deadLettered = registry.counter("zhyper.embedder.contexts.dead.lettered");
    }

    @Incoming("contexts")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        ContextEvent event;
        try {
            event = ProtoJson.decode(record.value(), ContextEvent::newBuilder);
            validate(event);
            embedder.embed(event.getDescription());
        } catch (RuntimeException e) {
            deadLetters.send(record, DeadLetterPublisher.reasonOf(e), deadLettered);
            return;
        }
        prewarmed.increment();
        LOG.debugf("pre-warmed embedding of context %s (key %s)", event.getContextId(), record.key());
    }

    private void validate(ContextEvent e) {
        if (e.getDescription().isBlank()) {
            throw new IllegalArgumentException("ContextEvent.description is blank");
        }
        if (e.getDescription().length() > config.maxTextChars()) {
            throw new IllegalArgumentException("ContextEvent.description has " + e.getDescription().length()
                    + " characters > max-text-chars " + config.maxTextChars());
        }
    }

    /** Topic consumed (for documentation; the channel is configured in application.properties). */
    public static final String TOPIC = Topics.CONTEXTS;
}
