package dev.zhyper.hypernet;

import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.AdapterEvent;
import dev.zhyper.proto.v1.ContextEvent;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.ProtoJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Consumes {@code zhyper.contexts} (ContextEvent JSON): registers a named context, computes its z under the current
 * checkpoint (cached in zhyper-modulations) and publishes an AdapterEvent on {@code zhyper.adapters} (key = context
 * hash). Undecodable/invalid records, and records whose z cannot be computed or published, go to
 * {@code zhyper.dlq.zhyper.contexts} with the reason; consumption continues. Without a loaded checkpoint the event is
 * skipped (logged, counted): z is computed on demand later, nothing is lost.
 */
@ApplicationScoped
public class ContextConsumer {

    private static final Logger LOG = Logger.getLogger(ContextConsumer.class);

    @Inject
    ModulationService service;

    @Inject
    CheckpointRegistry registry;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    MeterRegistry meters;

    @Inject
    @Channel("adapters")
    Emitter<Record<String, byte[]>> adapters;

    Counter published;
    Counter skipped;
    Counter deadLettered;

    @PostConstruct
    void metrics() {
        published = meters.counter("zhyper.hypernet.adapters.published");
        skipped = meters.counter("zhyper.hypernet.contexts.skipped");
        deadLettered = meters.counter("zhyper.hypernet.contexts.dead.lettered");
    }

    @Incoming("contexts")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        try {
            ContextEvent event = ProtoJson.decode(record.value(), ContextEvent::newBuilder);
            service.validateDescription(event.getDescription(), "ContextEvent.description");
            if (!event.getContextId().isEmpty()) {
                service.registerContext(event.getContextId(), event.getDescription());
            }
            if (registry.current() == null) {
                skipped.increment();
                LOG.infof("no checkpoint loaded: ContextEvent %s (%s) registered, z not precomputed",
                        event.getContextId(), record.key());
                return;
            }
            ModulationService.Modulated m = service.modulate(
                    ModulationService.ContextRef.ofDescription(event.getDescription()), "");
            AdapterEvent out = AdapterEvent.newBuilder().setSchemaVersion(Topics.SCHEMA_VERSION)
                    .setContextId(event.getContextId()).setContextHash(m.contextHash())
                    .setCheckpointId(m.response().getCheckpointId()).setModulation(m.response()).build();
            try {
                adapters.send(Record.of(m.contextHash(), ProtoJson.encode(out))).toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while publishing the AdapterEvent", e);
            } catch (Exception e) {
                throw new IllegalStateException("publishing the AdapterEvent on " + Topics.ADAPTERS + " failed: " + e, e);
            }
            published.increment();
            LOG.debugf("published AdapterEvent %s / %s under %s", event.getContextId(), m.contextHash(),
                    m.response().getCheckpointId());
        } catch (RuntimeException e) {
            deadLetters.send(record, DeadLetterPublisher.statusReasonOf(e), deadLettered);
        }
    }
}
