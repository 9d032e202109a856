package dev.zhyper.trainer;

import dev.zhyper.service.common.DeadLetterPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wiring: the DLQ publisher and the event producer (plain Kafka producers). */
@ApplicationScoped
public class TrainerBeans {

    /** Writes rejected records to zhyper.dlq.&lt;topic&gt;. */
    @Produces
    @Singleton
    DeadLetterPublisher deadLetters(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        return new DeadLetterPublisher(bootstrap);
    }

    void closeDeadLetters(@Disposes DeadLetterPublisher dlq) {
        dlq.close();
    }

    /** CheckpointEvents and TrainingProgressEvents. */
    @Produces
    @Singleton
    EventPublisher events(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap, TrainerState state) {
        return new EventPublisher(bootstrap, state);
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
