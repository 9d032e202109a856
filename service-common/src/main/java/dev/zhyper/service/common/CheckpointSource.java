package dev.zhyper.service.common;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Where a serving service (generator, hypernet) takes its checkpoints from, read once for both: the checkpoint
 * configured at start ({@code zhyper.checkpoint.dir}, a {@code file:} URI or a plain path, read by
 * {@link CheckpointPaths#parse}), the roots that announced checkpoints must lie under ({@code zhyper.checkpoints.roots},
 * which also accept exactly the configured directory, see {@link CheckpointPaths}), and the announcements of
 * {@code zhyper.checkpoints}, followed by {@link #follow} (a {@link CheckpointFollower} feeding the service's
 * {@link CheckpointUpdater}; startup waits {@code zhyper.checkpoints.startup-wait-ms} for the history). Every key is
 * documented in each service's application.properties. Verification (files' sha256, manifest fingerprint, id) is the
 * loader's: {@code Checkpoint.open} in core.
 */
@Singleton
public class CheckpointSource {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointSource.class);

    /** Checkpoint served at start when zhyper.checkpoints holds no promotion (absent: the service's default). */
    @ConfigProperty(name = "zhyper.checkpoint.dir")
    Optional<String> checkpointDir = Optional.empty();

    /** Where announced checkpoints may lie, comma-separated (relative: to the working directory). */
    @ConfigProperty(name = "zhyper.checkpoints.roots", defaultValue = "checkpoints")
    String roots = "checkpoints";

    /** How long startup waits for the history of zhyper.checkpoints (the current promoted checkpoint and candidate). */
    @ConfigProperty(name = "zhyper.checkpoints.startup-wait-ms", defaultValue = "60000")
    long startupWaitMs = 60_000;

    /** The configured start checkpoint ({@code zhyper.checkpoint.dir}; blank = none). */
    public Optional<Path> configured() {
        return checkpointDir.filter(d -> !d.isBlank()).map(CheckpointPaths::parse);
    }

    /** The confinement of announced locations: under the roots, or exactly the configured directory. */
    public CheckpointPaths paths() {
        return CheckpointPaths.fromConfig(roots, checkpointDir);
    }

    public Duration startupWait() {
        return Duration.ofMillis(startupWaitMs);
    }

    /**
     * Follows {@code zhyper.checkpoints} from the beginning into {@code updater} (a plain consumer of its own, client
     * id {@code zhyper-<service>-<uuid>}) and waits up to {@link #startupWait()} for the history to be applied, so a
     * new replica serves what the others serve; after that it serves what it has until the history comes.
     */
    public CheckpointFollower follow(KafkaClientConfig kafka, String service, CheckpointUpdater updater) {
        return new CheckpointFollower(kafka, "zhyper-" + service + "-" + UUID.randomUUID(), updater::onHistory,
                updater::onLive).startAndAwait(startupWait(), () -> LOG.warn(
                "zhyper.checkpoints not read within {} ms: serving {} until it is", startupWaitMs, updater.serving()));
    }
}
