package dev.zhyper.hypernet;

import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.service.common.CheckpointSource;
import io.micrometer.core.instrument.Gauge;
import dev.zhyper.service.common.OwnedMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Wiring: the base model's config, the checkpoint registry (the initial checkpoint of {@link CheckpointSource}) and its
 * gauge. Caches, Kafka clients and the DLQ publisher: service-common's ServiceBeans.
 */
@ApplicationScoped
public class HypernetBeans {

    /** The registry's gauge, removed when it is disposed. */
    private OwnedMeters gauges;

    private static final Logger LOG = Logger.getLogger(HypernetBeans.class);

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
    CheckpointRegistry registry(ModelConfig base, HypernetSettings config, MeterRegistry meters, CheckpointSource source) {
        CheckpointRegistry r = new CheckpointRegistry(base, config.loadedCheckpoints());
        Optional<Path> checkpointDir = source.configured();
        if (checkpointDir.isPresent()) {
            LoadedCheckpoint c = r.install(r.load(checkpointDir.get(), null, null), true);
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
}
