package dev.zhyper.generator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the base model and every arm's checkpoint are loaded (Serving is created at startup), the decode loop
 * is alive (its thread runs and went round its loop within the last minute) and the history of zhyper.checkpoints
 * has been applied (the current promoted checkpoint and candidate); DOWN otherwise. Reports what serves.
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
        boolean loaded = serving.base() != null && serving.base().base() != null;
        boolean alive = batcher.alive();
        boolean caughtUp = checkpoints.caughtUp();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("generator").status(loaded && alive && caughtUp)
                .withData("model_loaded", loaded)
                .withData("decode_loop_alive", alive)
                .withData("checkpoint_history_applied", caughtUp)
                .withData("admission", batcher.admission().name().toLowerCase(java.util.Locale.ROOT))
                .withData("queue_depth", batcher.depth())
                .withData("active_rows", batcher.active());
        if (loaded) b.withData("base_model", serving.base().base().config().family().modelType());
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
