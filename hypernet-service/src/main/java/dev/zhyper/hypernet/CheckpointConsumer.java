package dev.zhyper.hypernet;

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
 * {@link CheckpointSource#follow} and {@link CheckpointFollower}) and applies it to the registry through
 * {@link RegistryUpdater}. Startup waits (up to {@code zhyper.checkpoints.startup-wait-ms}) until the history is
 * folded and the current promoted checkpoint and candidate are loaded, so a new replica serves what the others serve.
 */
@ApplicationScoped
@Startup
public class CheckpointConsumer {

    @Inject
    CheckpointRegistry registry;

    @Inject
    HypernetSettings config;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    MeterRegistry meters;

    @Inject
    KafkaClientConfig kafka;

    @Inject
    CheckpointSource source;

    private RegistryUpdater updater;
    private CheckpointFollower follower;

    @PostConstruct
    void start() {
        updater = new RegistryUpdater(registry, config.promotedOnly(), deadLetters, meters, source.paths());
        follower = source.follow(kafka, "hypernet", updater);
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
