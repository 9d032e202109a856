package dev.zhyper.generator;

import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.service.common.CheckpointSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.nio.file.Path;

/**
 * Wiring: the served model and arms (the start checkpoint of {@link CheckpointSource}), the batcher. Caches, Kafka
 * clients and the DLQ publisher: service-common's ServiceBeans.
 */
@ApplicationScoped
public class GeneratorBeans {

    private static final Logger LOG = Logger.getLogger(GeneratorBeans.class);

    /** Base model + arms, loaded at startup so that readiness turns UP only with the model in memory. */
    @Produces
    @Singleton
    @Startup
    Serving serving(GeneratorSettings s, CheckpointSource checkpoints) {
        ModelOptions options = new ModelOptions(ModelOptions.parseDevice(s.device), ModelOptions.parseDtype(s.dtype));
        long t0 = System.nanoTime();
        Serving serving = Serving.open(Path.of(s.modelDir), checkpoints.configured().map(Path::toString).orElse(null),
                s.arms.orElse(null), options, s.followArm, s.candidateArm);
        if (!serving.canaryEnabled()) {
            LOG.warnf("zhyper.ab.follow-arm '%s' is not an arm (%s): zhyper.checkpoints events will be ignored",
                    s.followArm, serving.armCheckpoints().keySet());
        }
        LOG.infof("generator serving %s from %s on %s/%s (loaded in %d ms)", serving.armCheckpoints(), s.modelDir,
                s.device, s.dtype, (System.nanoTime() - t0) / 1_000_000);
        return serving;
    }

    void closeServing(@Disposes Serving serving) {
        serving.close();
    }

    @Produces
    @Singleton
    Batcher batcher(GeneratorSettings s, MeterRegistry registry) {
        return new Batcher(s.batchMaxSize, s.batchMaxWaitMs, s.maxPending, s.prefillBudget,
                Batcher.Admission.parse(s.batchAdmission), registry);
    }

    void closeBatcher(@Disposes Batcher batcher) {
        batcher.close();
    }
}
