package dev.zhyper.generator;

import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.GenerateResponse;
import dev.zhyper.proto.v1.GenerationEvent;
import dev.zhyper.service.common.KafkaClientConfig;
import dev.zhyper.service.common.ProtoJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * Publishes every served generation to {@code zhyper.generations} (GenerationEvent JSON, key = request id) with
 * its arm and checkpoint; the user's text as {@code zhyper.generator.events.content} says ({@link EventContent}).
 * Asynchronous: a failed publish is logged and counted
 * ({@code zhyper.generator.events.failed}) but never fails the user's request.
 */
@ApplicationScoped
public class GenerationEvents {

    private static final Logger LOG = Logger.getLogger(GenerationEvents.class);

    @Inject
    KafkaClientConfig kafka;

    /** What the events carry of context, prompt and output: full | hash | none (an invalid value fails startup). */
    @ConfigProperty(name = "zhyper.generator.events.content", defaultValue = "full")
    EventContent content;

    @Inject
    MeterRegistry registry;

    private KafkaProducer<String, byte[]> producer;
    private Counter failed;
    private Counter published;

    @PostConstruct
    void start() {
        producer = new KafkaProducer<>(kafka.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.CLIENT_ID_CONFIG, "zhyper-generator-events-" + ProcessHandle.current().pid())),
                new StringSerializer(), new ByteArraySerializer());
        failed = registry.counter("zhyper.generator.events.failed");
        published = registry.counter("zhyper.generator.events.published");
    }

    public void publish(GenerateResponse r, String context, String prompt) {
        GenerationEvent e = event(content, r, context, prompt);
        producer.send(new ProducerRecord<>(Topics.GENERATIONS, r.getRequestId(), ProtoJson.encode(e)), (md, ex) -> {
            if (ex != null) {
                failed.increment();
                LOG.warnf(ex, "publishing generation %s to %s failed", r.getRequestId(), Topics.GENERATIONS);
            } else {
                published.increment();
            }
        });
    }

    static GenerationEvent event(EventContent content, GenerateResponse r, String context, String prompt) {
        return content.apply(GenerationEvent.newBuilder(), context, prompt, r.getText())
                .setSchemaVersion(Topics.SCHEMA_VERSION)
                .setRequestId(r.getRequestId())
                .setArm(r.getArm())
                .setCheckpointId(r.getCheckpointId())
                .setLatencyMs(r.getTimings().getTotalMs())
                .setCompletionTokens(r.getCompletionTokens())
                .setFinishReason(r.getFinishReason())
                .build();
    }

    @PreDestroy
    void stop() {
        if (producer != null) producer.close(java.time.Duration.ofSeconds(10));
    }
}
