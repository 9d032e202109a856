package dev.zhyper.generator;

import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.KafkaClientConfig;
import io.smallrye.common.annotation.Identifier;
import dev.zhyper.service.common.ZhyperCaches;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import java.util.Map;
import java.nio.file.Path;

/** Wiring: the served model and arms, the batcher, caches, the DLQ publisher, the generations producer. */
@ApplicationScoped
public class GeneratorBeans {

    private static final Logger LOG = Logger.getLogger(GeneratorBeans.class);

    /** Base model + arms, loaded at startup so that readiness turns UP only with the model in memory. */
    @Produces
    @Singleton
    @Startup
    Serving serving(GeneratorSettings s) {
        ModelOptions options = new ModelOptions(ModelOptions.parseDevice(s.device), ModelOptions.parseDtype(s.dtype));
        long t0 = System.nanoTime();
        Serving serving = Serving.open(Path.of(s.modelDir), s.checkpointDir.orElse(null), s.arms.orElse(null), options,
                s.followArm, s.candidateArm);
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

    /** Embedded or Hot Rod caches, by {@code zhyper.cache.*} (the context registry zhyper-contexts). */
    @Produces
    @Singleton
    ZhyperCaches caches(Config config) {
        return ZhyperCaches.fromConfig(k -> config.getOptionalValue(k, String.class).orElse(null));
    }

    void closeCaches(@Disposes ZhyperCaches caches) {
        caches.close();
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
