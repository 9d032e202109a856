package dev.zhyper.embedder;

import dev.zhyper.core.embed.CachingEmbedder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the embedding model is loaded (the Kafka connector adds its own readiness check). */
@Readiness
@ApplicationScoped
public class EmbedderReadiness implements HealthCheck {

    @Inject
    CachingEmbedder embedder;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("embedder").up()
                .withData("embedder_id", embedder.id())
                .withData("dim", embedder.dim())
                .withData("cache_hits", embedder.hits())
                .withData("cache_misses", embedder.misses())
                .build();
    }
}
