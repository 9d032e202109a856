package dev.zhyper.generator;

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
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.UUID;

/**
 * Hot swap and canary: follows {@code zhyper.checkpoints} from the beginning (a plain consumer per process, see
 * {@link CheckpointFollower}) and applies it through {@link ServingUpdater}. At startup it waits (up to
 * {@code zhyper.checkpoints.startup-wait-ms}) until the history is folded and the current promoted checkpoint and
 * candidate are loaded, so a new replica serves what the others serve; {@code zhyper.checkpoint.dir} /
 * {@code zhyper.ab.arms} are what it serves when the topic holds no promotion.
 */
@ApplicationScoped
@Startup
public class CheckpointConsumer {

    private static final Logger LOG = Logger.getLogger(CheckpointConsumer.class);

    @Inject
    Serving serving;

    @Inject
    GeneratorSettings settings;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    MeterRegistry registry;

    @Inject
    KafkaClientConfig kafka;

    private ServingUpdater updater;
    private CheckpointFollower follower;

    @PostConstruct
    void start() {
        updater = new ServingUpdater(serving, deadLetters, registry,
                CheckpointPaths.fromConfig(settings.checkpointRoots, settings.checkpointDir));
        follower = new CheckpointFollower(kafka, "zhyper-generator-" + UUID.randomUUID(), updater::onHistory,
                updater::onLive).start();
        try {
            if (!follower.awaitCaughtUp(Duration.ofMillis(settings.checkpointsStartupWaitMs))) {
                LOG.warnf("zhyper.checkpoints not read within %d ms: serving the configured arms %s until it is",
                        settings.checkpointsStartupWaitMs, serving.armCheckpoints());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the history of zhyper.checkpoints has been applied. */
    public boolean caughtUp() {
        return follower != null && follower.caughtUp();
    }

    public ServingUpdater updater() {
        return updater;
    }

    @PreDestroy
    void stop() {
        if (follower != null) follower.close();
        if (updater != null) updater.close();
    }
}
