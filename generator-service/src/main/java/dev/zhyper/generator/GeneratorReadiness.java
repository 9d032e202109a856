package dev.zhyper.generator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the base model and every arm's checkpoint are loaded (Serving is created at startup). */
@Readiness
@ApplicationScoped
public class GeneratorReadiness implements HealthCheck {

    @Inject
    Serving serving;

    @Inject
    Batcher batcher;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("generator").up()
                .withData("base_model", serving.base().base().config().family().modelType())
                .withData("queue_depth", batcher.depth());
        serving.armCheckpoints().forEach((arm, id) -> b.withData("arm." + arm, id.isEmpty() ? "<base model>" : id));
        return b.build();
    }
}
