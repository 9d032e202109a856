package dev.zhyper.trainer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.nio.file.Files;

/**
 * Ready when the base model directory has a config.json, the checkpoint root is writable and the streaming consumer
 * thread runs (the Kafka connector of the control channel adds its own check).
 */
@Readiness
@ApplicationScoped
public class TrainerReadiness implements HealthCheck {

    @Inject
    TrainerSettings settings;

    @Inject
    TrainingService training;

    @Inject
    StreamingTrainer streaming;

    @Override
    public HealthCheckResponse call() {
        boolean model = Files.isRegularFile(settings.modelDir().resolve("config.json"));
        boolean root = Files.isDirectory(settings.checkpointsRoot()) && Files.isWritable(settings.checkpointsRoot());
        boolean stream = streaming.healthy();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("trainer").status(model && root && stream)
                .withData("model_dir", settings.modelDir().toString())
                .withData("model_ok", model)
                .withData("checkpoints_root", settings.checkpointsRoot().toString())
                .withData("checkpoints_root_ok", root)
                .withData("streaming", stream)
                .withData("pending_examples", streaming.pendingCount())
                .withData("training", String.valueOf(training.runningJob()));
        if (streaming.lastError() != null) b.withData("last_error", streaming.lastError().toString());
        return b.build();
    }
}
