package dev.zhyper.service.common;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

import java.util.Map;

/**
 * The wiring every service shares, produced once here (this jar carries a {@code META-INF/beans.xml}, so Quarkus
 * discovers it in each service): the settings of hand-built Kafka clients, the dead-letter publisher and the
 * Infinispan caches. A service's own {@code *Beans} class keeps only what is specific to it. A service that injects
 * none of them (the trainer has no caches) gets none: Quarkus removes unused beans.
 */
@ApplicationScoped
public class ServiceBeans {

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

    /** Embedded or Hot Rod caches, by {@code zhyper.cache.*} (see {@link ZhyperCaches#fromConfig}). */
    @Produces
    @Singleton
    ZhyperCaches caches(Config config) {
        return ZhyperCaches.fromConfig(k -> config.getOptionalValue(k, String.class).orElse(null));
    }

    void closeCaches(@Disposes ZhyperCaches caches) {
        caches.close();
    }
}
