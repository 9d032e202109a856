package dev.zhyper.hypernet;

import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.KafkaClientConfig;
import io.smallrye.common.annotation.Identifier;
import dev.zhyper.service.common.ZhyperCaches;
import io.micrometer.core.instrument.Gauge;
import dev.zhyper.service.common.OwnedMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Map;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Wiring: Infinispan caches, the base model's config, the checkpoint registry (initial checkpoint), DLQ, metrics. */
@ApplicationScoped
public class HypernetBeans {

    /** The registry's gauge, removed when it is disposed. */
    private OwnedMeters gauges;

    private static final Logger LOG = Logger.getLogger(HypernetBeans.class);

    /** Embedded or Hot Rod caches, by {@code zhyper.cache.*}. */
    @Produces
    @Singleton
    ZhyperCaches caches(Config config) {
        return ZhyperCaches.fromConfig(k -> config.getOptionalValue(k, String.class).orElse(null));
    }

    void closeCaches(@Disposes ZhyperCaches caches) {
        caches.close();
    }

    /** The base model's shape: only {@code config.json} of {@code zhyper.model.dir} is read (no weights). */
    @Produces
    @Singleton
    ModelConfig baseConfig(@ConfigProperty(name = "zhyper.model.dir") String modelDir) {
        return ModelConfig.load(Path.of(modelDir));
    }

    /**
     * The loaded checkpoints; {@code zhyper.checkpoint.dir}, when set, is loaded at startup (a checkpoint that fails
     * verification fails the startup: it is a configuration error).
     */
    @Produces
    @Singleton
    @Startup
    CheckpointRegistry registry(ModelConfig base, HypernetConfig config, MeterRegistry meters,
                                @ConfigProperty(name = "zhyper.checkpoint.dir") Optional<String> checkpointDir) {
        CheckpointRegistry r = new CheckpointRegistry(base, config.loadedCheckpoints());
        if (checkpointDir.isPresent() && !checkpointDir.get().isBlank()) {
            LoadedCheckpoint c = r.install(r.load(Path.of(checkpointDir.get().trim()), null, null), true);
            LOG.infof("serving checkpoint %s (step %d, %s, %d sites) from %s", c.id(), c.step(), c.method(),
                    c.adapter().sites().size(), c.dir());
        } else {
            LOG.warn("no zhyper.checkpoint.dir: Modulate answers FAILED_PRECONDITION until a CheckpointEvent arrives");
        }
        gauges = new OwnedMeters(meters);
        gauges.own(Gauge.builder("zhyper.hypernet.checkpoints.loaded", r, x -> x.loadedIds().size())
                .description("checkpoints held in memory").register(meters));
        return r;
    }

    void closeRegistry(@Disposes CheckpointRegistry r) {
        if (gauges != null) gauges.close();
        r.close();
    }

    /**
     * The settings of every hand-built Kafka client: the {@code kafka.*} properties, from the very map the SmallRye
     * channels get (security included), see {@link KafkaClientConfig}.
     */
    @Produces
    @Singleton
    KafkaClientConfig kafkaClients(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        return KafkaClientConfig.of(kafka);
    }

    /** Writes rejected records to zhyper.dlq.&lt;topic&gt;. */
    @Produces
    @Singleton
    DeadLetterPublisher deadLetters(KafkaClientConfig kafka) {
        return new DeadLetterPublisher(kafka);
    }

    void closeDeadLetters(@Disposes DeadLetterPublisher dlq) {
        dlq.close();
    }
}
