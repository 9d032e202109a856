package dev.zhyper.trainer;

import dev.zhyper.proto.v1.StartJobRequest;
import dev.zhyper.proto.v1.TrainingControlEvent;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.ProtoJson;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;


/**
 * Consumes {@code zhyper.training.control} (TrainingControlEvent JSON): START queues a job exactly as the gRPC
 * StartJob does (job_id of the event overrides start.job_id), CANCEL cancels as CancelJob does, RESUME queues a
 * FAILED or CANCELLED job again (it continues from its partial checkpoint). Anything rejected — undecodable, an
 * invalid START (the reason carries the gRPC status and message), an unknown job, a RESUME of a job that is not
 * FAILED or CANCELLED — goes to {@code zhyper.dlq.zhyper.training.control}; consumption continues.
 * Whoever may produce to this topic has the admin role: START is confined to {@code zhyper.trainer.data-roots} like
 * StartJob; restrict the topic with broker ACLs, or turn it off ({@code zhyper.trainer.control-topic.enabled=false}).
 */
@ApplicationScoped
public class ControlConsumer {

    private static final Logger LOG = Logger.getLogger(ControlConsumer.class);

    @Inject
    TrainingService training;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    TrainerSettings settings;

    @Incoming("control")
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        if (!settings.controlTopicEnabled()) {
            deadLetters.send(record, "the control topic is disabled (zhyper.trainer.control-topic.enabled=false): "
                    + "start and cancel jobs through the Trainer gRPC service");
            return;
        }
        try {
            TrainingControlEvent ev = ProtoJson.decode(record.value(), TrainingControlEvent::newBuilder);
            switch (ev.getAction()) {
                case START -> {
                    StartJobRequest req = ev.getJobId().isBlank() ? ev.getStart()
                            : ev.getStart().toBuilder().setJobId(ev.getJobId()).build();
                    LOG.infof("control: START %s", training.startJob(req).getJobId());
                }
                case CANCEL -> {
                    if (ev.getJobId().isBlank()) throw new IllegalArgumentException("CANCEL without job_id");
                    LOG.infof("control: CANCEL %s -> %s", ev.getJobId(), training.cancelJob(ev.getJobId()).getState());
                }
                case RESUME -> {
                    if (ev.getJobId().isBlank()) throw new IllegalArgumentException("RESUME without job_id");
                    LOG.infof("control: RESUME %s -> %s", ev.getJobId(), training.resumeJob(ev.getJobId()).getState());
                }
                default -> throw new IllegalArgumentException("unknown or missing action " + ev.getAction());
            }
        } catch (RuntimeException e) {
            deadLetters.send(record, DeadLetterPublisher.statusReasonOf(e));
        }
    }
}
