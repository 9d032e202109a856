package dev.zhyper.generator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the base model and every arm's checkpoint are loaded (Serving is created at startup) and the history
 * of zhyper.checkpoints has been applied (the current promoted checkpoint and candidate); reports what serves.
 */
@Readiness
@ApplicationScoped
public class GeneratorReadiness implements HealthCheck {

    @Inject
    Serving serving;

    @Inject
    Batcher batcher;

    @Inject
    CheckpointConsumer checkpoints;

    @Override
    public HealthCheckResponse call() {
        boolean caughtUp = checkpoints.caughtUp();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("generator").status(caughtUp)
                .withData("base_model", serving.base().base().config().family().modelType())
                .withData("queue_depth", batcher.depth())
                .withData("checkpoint_history_applied", caughtUp);
        serving.armCheckpoints().forEach((arm, id) -> b.withData("arm." + arm, id.isEmpty() ? "<base model>" : id));
        if (serving.canaryEnabled()) {
            b.withData("control_checkpoint", serving.controlId().isEmpty() ? "<base model>" : serving.controlId());
            String cand = serving.candidateId();
            b.withData("candidate_checkpoint", cand == null ? "none" : cand)
                    .withData("candidate_share", String.valueOf(serving.candidateShare()))
                    .withData("sequence", checkpoints.updater().state().sequence());
        }
        return b.build();
    }
}
