package dev.zhyper.hypernet;

import dev.zhyper.service.common.CheckpointFollower;
import dev.zhyper.service.common.CheckpointPaths;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.KafkaClientConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.UUID;

/**
 * Hot swap and canary: follows {@code zhyper.checkpoints} from the beginning (a plain consumer per process, see
 * {@link CheckpointFollower}) and applies it to the registry through {@link RegistryUpdater}. Startup waits (up to
 * {@code zhyper.checkpoints.startup-wait-ms}) until the history is folded and the current promoted checkpoint and
 * candidate are loaded, so a new replica serves what the others serve.
 */
@ApplicationScoped
@Startup
public class CheckpointConsumer {

    private static final Logger LOG = Logger.getLogger(CheckpointConsumer.class);

    @Inject
    CheckpointRegistry registry;

    @Inject
    HypernetConfig config;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    MeterRegistry meters;

    @Inject
    KafkaClientConfig kafka;

    @ConfigProperty(name = "zhyper.checkpoints.startup-wait-ms", defaultValue = "60000")
    long startupWaitMs;

    /** Where announced checkpoints may lie (CheckpointPaths). */
    @ConfigProperty(name = "zhyper.checkpoints.roots", defaultValue = "checkpoints")
    String checkpointRoots;

    /** The checkpoint served at start: events may name it too (a rollback to it). */
    @ConfigProperty(name = "zhyper.checkpoint.dir")
    java.util.Optional<String> checkpointDir;

    private RegistryUpdater updater;
    private CheckpointFollower follower;

    @PostConstruct
    void start() {
        updater = new RegistryUpdater(registry, config.promotedOnly(), deadLetters, meters,
                CheckpointPaths.fromConfig(checkpointRoots, checkpointDir));
        follower = new CheckpointFollower(kafka, "zhyper-hypernet-" + UUID.randomUUID(), updater::onHistory,
                updater::onLive).start();
        try {
            if (!follower.awaitCaughtUp(Duration.ofMillis(startupWaitMs))) {
                LOG.warnf("zhyper.checkpoints not read within %d ms: serving zhyper.checkpoint.dir until it is",
                        startupWaitMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the history of zhyper.checkpoints has been applied (later events are seen from now on). */
    public boolean caughtUp() {
        return follower != null && follower.caughtUp();
    }

    /** Why zhyper.checkpoints could not be read (yet), e.g. refused credentials; null once it is read. */
    public RuntimeException kafkaError() {
        return follower == null ? null : follower.lastError();
    }

    public RegistryUpdater updater() {
        return updater;
    }

    @PreDestroy
    void stop() {
        if (follower != null) follower.close();
        if (updater != null) updater.close();
    }
}
