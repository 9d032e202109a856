package dev.zhyper.generator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the base model and every arm's checkpoint are loaded (Serving is created at startup) AND the decode loop
 * is alive (its thread runs and went round its loop within the last minute); DOWN otherwise.
 */
@Readiness
@ApplicationScoped
public class GeneratorReadiness implements HealthCheck {

    @Inject
    Serving serving;

    @Inject
    Batcher batcher;

    @Override
    public HealthCheckResponse call() {
        boolean loaded = serving.base() != null && serving.base().base() != null;
        boolean alive = batcher.alive();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("generator").status(loaded && alive)
                .withData("model_loaded", loaded)
                .withData("decode_loop_alive", alive)
                .withData("admission", batcher.admission().name().toLowerCase(java.util.Locale.ROOT))
                .withData("queue_depth", batcher.depth())
                .withData("active_rows", batcher.active());
        if (loaded) b.withData("base_model", serving.base().base().config().family().modelType());
        serving.armCheckpoints().forEach((arm, id) -> b.withData("arm." + arm, id.isEmpty() ? "<base model>" : id));
        return b.build();
    }
}
