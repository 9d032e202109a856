package dev.zhyper.generator;

import dev.zhyper.service.common.CheckpointFollower;
import dev.zhyper.service.common.CheckpointSource;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.KafkaClientConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Hot swap and canary: follows {@code zhyper.checkpoints} from the beginning (a plain consumer per process, see
 * {@link CheckpointSource#follow} and {@link CheckpointFollower}) and applies it through {@link ServingUpdater}. At startup it waits (up to
 * {@code zhyper.checkpoints.startup-wait-ms}) until the history is folded and the current promoted checkpoint and
 * candidate are loaded, so a new replica serves what the others serve; {@code zhyper.checkpoint.dir} /
 * {@code zhyper.ab.arms} are what it serves when the topic holds no promotion.
 */
@ApplicationScoped
@Startup
public class CheckpointConsumer {

    @Inject
    Serving serving;

    @Inject
    CheckpointSource source;

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
        updater = new ServingUpdater(serving, deadLetters, registry, source.paths());
        follower = source.follow(kafka, "generator", updater);
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
