package dev.zhyper.hypernet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.errors.AuthenticationException;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * UP once started and the history of zhyper.checkpoints is applied, with or without a checkpoint (without one,
 * Modulate answers FAILED_PRECONDITION until a CheckpointEvent arrives); reports which checkpoint serves (the
 * current = promoted control) and the canary candidate. DOWN while the broker refuses the service's Kafka credentials
 * or TLS handshake ({@code kafka_error} says why).
 */
@Readiness
@ApplicationScoped
public class HypernetReadiness implements HealthCheck {

    @Inject
    CheckpointRegistry registry;

    @Inject
    ContextEmbedder embedder;

    @Inject
    ModulationService service;

    @Inject
    CheckpointConsumer checkpoints;

    @Override
    public HealthCheckResponse call() {
        LoadedCheckpoint c = registry.current();
        RuntimeException kafkaError = checkpoints.kafkaError();
        // refused credentials or TLS do not heal by themselves: not ready, and say why
        boolean refused = kafkaError instanceof AuthenticationException;
        HealthCheckResponseBuilder b = HealthCheckResponse.named("hypernet").status(checkpoints.caughtUp() && !refused)
                .withData("checkpoint_loaded", c != null)
                .withData("loaded_checkpoints", String.join(",", registry.loadedIds()))
                .withData("embedder_target", embedder.target())
                .withData("checkpoint_events_subscribed", checkpoints.caughtUp())
                .withData("checkpoint_history_applied", checkpoints.caughtUp())
                .withData("candidate_checkpoint", registry.candidateId() == null ? "none" : registry.candidateId())
                .withData("sequence", checkpoints.updater() == null ? 0 : checkpoints.updater().state().sequence())
                .withData("cache_hits", (long) service.cacheHits())
                .withData("cache_misses", (long) service.cacheMisses());
        if (kafkaError != null) b.withData("kafka_error", kafkaError.getClass().getSimpleName() + ": " + kafkaError.getMessage());
        if (c != null) {
            b.withData("checkpoint_id", c.id()).withData("checkpoint_step", c.step())
                    .withData("method", c.method().name()).withData("rank", c.adapter().spec().rank())
                    .withData("sites", c.adapter().sites().size())
                    .withData("embedder", c.embedder() == null ? "none" : c.embedder().id());
        }
        return b.build();
    }
}
