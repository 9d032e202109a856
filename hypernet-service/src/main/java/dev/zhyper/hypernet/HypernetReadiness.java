package dev.zhyper.hypernet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * UP once started, with or without a checkpoint (without one, Modulate answers FAILED_PRECONDITION until a
 * CheckpointEvent arrives); reports which checkpoint is loaded (the Kafka connector adds its own check).
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
    @io.smallrye.common.annotation.Identifier(CheckpointRebalanceListener.NAME)
    CheckpointRebalanceListener checkpoints;

    @Override
    public HealthCheckResponse call() {
        LoadedCheckpoint c = registry.current();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("hypernet").up()
                .withData("checkpoint_loaded", c != null)
                .withData("loaded_checkpoints", String.join(",", registry.loadedIds()))
                .withData("embedder_target", embedder.target())
                .withData("checkpoint_events_subscribed", checkpoints.assigned())
                .withData("cache_hits", (long) service.cacheHits())
                .withData("cache_misses", (long) service.cacheMisses());
        if (c != null) {
            b.withData("checkpoint_id", c.id()).withData("checkpoint_step", c.step())
                    .withData("method", c.method().name()).withData("rank", c.adapter().spec().rank())
                    .withData("sites", c.adapter().sites().size())
                    .withData("embedder", c.embedder() == null ? "none" : c.embedder().id());
        }
        return b.build();
    }
}
