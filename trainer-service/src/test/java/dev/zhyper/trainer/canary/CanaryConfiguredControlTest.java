package dev.zhyper.trainer.canary;

import dev.zhyper.trainer.Ledger;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.proto.v1.FeedbackEvent;
import dev.zhyper.service.common.KafkaBrokerResource;
import dev.zhyper.trainer.TinyModelResource;
import dev.zhyper.proto.v1.TrainerGrpc;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Before any promotion is announced (the generator serves the checkpoint it was started with), the judge counts the
 * generations of the control arm by name as the control's, so a winning candidate is still promoted. Own profile:
 * a fresh broker whose zhyper.checkpoints holds no PROMOTED event.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(TinyModelResource.class)
@TestProfile(CanaryConfiguredControlTest.Profile.class)
class CanaryConfiguredControlTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("zhyper.canary.min-samples", "10", "zhyper.canary.group-id", "canary-configured-control");
        }
    }

    @Inject
    Ledger ledger;

    @GrpcClient("trainer")
    TrainerGrpc.TrainerBlockingStub trainer;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void aCandidateBeatsTheConfiguredControl() throws Exception {
        CanaryJudgeTest t = new CanaryJudgeTest();
        t.trainer = trainer;
        t.bootstrap = bootstrap;
        CanaryJudgeTest.await("ledger read zhyper.checkpoints", ledger::caughtUp);
        assertNull(ledger.state().controlId(), "a fresh topic: no promotion announced");
        String run = "q" + System.nanoTime();
        String x = "cand-" + run;
        try (KafkaProducer<String, byte[]> p = t.producer()) {
            t.announce(p, x, CheckpointStatus.CANDIDATE, System.currentTimeMillis(), 0.5);
            CanaryJudgeTest.await("judge sees the candidate", () -> x.equals(t.canary().getCandidateCheckpointId()));
            for (int i = 0; i < 15; i++) {
                CanaryJudgeTest.generation(p, run + "-c-" + i, "control", "configured-" + run);
                CanaryJudgeTest.feedback(p, run + "-c-" + i, FeedbackEvent.newBuilder().setThumbsUp(i % 5 == 0));
                CanaryJudgeTest.generation(p, run + "-x-" + i, "candidate", x);
                CanaryJudgeTest.feedback(p, run + "-x-" + i, FeedbackEvent.newBuilder().setThumbsUp(true));
            }
            p.flush();
        }
        CheckpointEvent promoted = t.awaitEvent(e -> e.getStatus() == CheckpointStatus.PROMOTED
                && e.getCheckpointId().equals(x));
        // the judge decides as soon as both arms have min-samples joined feedbacks and the interval is decisive,
        // which may be before all 15 pairs are joined: check the verdict, not the final tally
        assertTrue(promoted.getReason().contains("candidate wins"), promoted.getReason());
        assertTrue(promoted.getReason().matches("(?s).*mean 1\\.0000 \\(n 1[0-5]\\) vs control 0\\.[0-9]+ \\(n 1[0-5]\\).*"),
                promoted.getReason());
    }
}
