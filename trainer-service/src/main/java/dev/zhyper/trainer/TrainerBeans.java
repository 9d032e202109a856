package dev.zhyper.trainer;

import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.KafkaClientConfig;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Map;

/** Wiring: the DLQ publisher and the event producer (plain Kafka producers). */
@ApplicationScoped
public class TrainerBeans {

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

    /** CheckpointEvents and TrainingProgressEvents. */
    @Produces
    @Singleton
    EventPublisher events(KafkaClientConfig kafka, TrainerState state) {
        return new EventPublisher(kafka, state);
    }

    /** The trainer's durable bookkeeping in {@code <zhyper.checkpoints.root>/trainer-state.json}. */
    @Produces
    @Singleton
    TrainerState state(TrainerSettings settings) {
        return TrainerState.open(settings.checkpointsRoot());
    }

    void closeEvents(@Disposes EventPublisher events) {
        events.close();
    }
}
