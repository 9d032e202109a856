package dev.zhyper.hypernet;

import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.ContextEvent;
import dev.zhyper.service.common.ProtoJson;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.util.concurrent.TimeUnit;

/**
 * Publishes ContextEvents (RegisterContext) on zhyper.contexts, key = context hash. A separate normal-scoped bean so
 * that the emitter is wired lazily: the gRPC service is created before reactive messaging connects its channels.
 */
@ApplicationScoped
public class ContextEventPublisher {

    @Inject
    @Channel("contexts-out")
    Emitter<Record<String, byte[]>> emitter;

    /** Sends and waits (30 s) for the broker's acknowledgement. */
    public void publish(String contextHash, String contextId, String description) throws Exception {
        byte[] event = ProtoJson.encode(ContextEvent.newBuilder().setSchemaVersion(Topics.SCHEMA_VERSION)
                .setContextId(contextId).setDescription(description));
        emitter.send(Record.of(contextHash, event)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
