package dev.zhyper.trainer;

import dev.zhyper.service.common.KafkaClientConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Wiring: the event producer (a plain Kafka producer) and the trainer's state. Kafka clients and the DLQ publisher:
 * service-common's ServiceBeans.
 */
@ApplicationScoped
public class TrainerBeans {

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
