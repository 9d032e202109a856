package dev.zhyper.trainer.canary;

import dev.zhyper.trainer.Ledger;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CanaryStatus;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.proto.v1.FeedbackEvent;
import dev.zhyper.proto.v1.GenerationEvent;
import dev.zhyper.proto.v1.GetCanaryRequest;
import dev.zhyper.proto.v1.PromoteRequest;
import dev.zhyper.proto.v1.RollbackRequest;
import dev.zhyper.proto.v1.TrainerGrpc;
import dev.zhyper.service.common.KafkaBrokerResource;
import dev.zhyper.service.common.KafkaClientConfig;
import dev.zhyper.service.common.KafkaTestClient;
import dev.zhyper.service.common.ProtoJson;
import dev.zhyper.trainer.TinyModelResource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The canary judge in the running trainer against the real broker: generations and feedback produced on
 * zhyper.generations / zhyper.feedback (some feedback before its generation) are joined per arm; a candidate that wins
 * with confidence is PROMOTED (event published with the next sequence), a losing one ROLLED_BACK; malformed, invalid
 * and unmatched feedback goes to zhyper.dlq.zhyper.feedback with the reason; a REJECTED checkpoint cannot be promoted.
 * The test profile needs 30 joined feedbacks per arm and joins within 10 s.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(TinyModelResource.class)
class CanaryJudgeTest {

    static final String SHA = "ab".repeat(32);

    @GrpcClient("trainer")
    TrainerGrpc.TrainerBlockingStub trainer;

    @Inject
    Ledger ledger;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    void announce(KafkaProducer<String, byte[]> p, String id, CheckpointStatus s, long seq, double share) {
        p.send(new ProducerRecord<>(Topics.CHECKPOINTS, id, ProtoJson.encode(CheckpointEvent.newBuilder()
                .setSchemaVersion(1).setCheckpointId(id).setUri("file:///nowhere/" + id).setSha256(SHA)
                .setStatus(s).setSequence(seq).setTrafficShare(share))));
        p.flush();
    }

    static void generation(KafkaProducer<String, byte[]> p, String requestId, String arm, String checkpoint) {
        p.send(new ProducerRecord<>(Topics.GENERATIONS, requestId, ProtoJson.encode(GenerationEvent.newBuilder()
                .setSchemaVersion(1).setRequestId(requestId).setArm(arm).setCheckpointId(checkpoint)
                .setPrompt("p").setOutput("o"))));
    }

    static void feedback(KafkaProducer<String, byte[]> p, String requestId, FeedbackEvent.Builder f) {
        p.send(new ProducerRecord<>(Topics.FEEDBACK, requestId,
                ProtoJson.encode(f.setSchemaVersion(1).setRequestId(requestId))));
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!cond.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(200);
        assertTrue(cond.getAsBoolean(), what);
    }

    CanaryStatus canary() {
        return trainer.getCanary(GetCanaryRequest.getDefaultInstance());
    }

    CheckpointEvent awaitEvent(Predicate<CheckpointEvent> p) {
        List<ConsumerRecord<byte[], byte[]>> recs = KafkaTestClient.readUntil(bootstrap, Topics.CHECKPOINTS,
                Duration.ofSeconds(120), l -> l.stream().anyMatch(r -> p.test(decode(r))));
        return recs.stream().map(CanaryJudgeTest::decode).filter(p).findFirst().orElseThrow(
                () -> new AssertionError("no such CheckpointEvent"));
    }

    static long sequenceOf(byte[] value) {
        try {
            CheckpointEvent e = ProtoJson.decode(value, CheckpointEvent::newBuilder);
            return e.getSequence();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    static CheckpointEvent decode(ConsumerRecord<byte[], byte[]> r) {
        try {
            return ProtoJson.decode(r.value(), CheckpointEvent::newBuilder);
        } catch (RuntimeException e) {
            return CheckpointEvent.getDefaultInstance();
        }
    }

    @Test
    void winnerPromotedLoserRolledBackBadFeedbackDeadLettered() throws Exception {
        await("ledger read zhyper.checkpoints", ledger::caughtUp);
        String run = "r" + System.nanoTime();
        String ctl = "ctl-" + run;
        String x = "cand-x-" + run;
        String y = "cand-y-" + run;
        long seq = Math.max(ledger.state().sequence(), System.currentTimeMillis()) + 1;
        try (KafkaProducer<String, byte[]> p = producer()) {
            // ---- round 1: thumbs, candidate x (90 % up) against control (30 % up) -> PROMOTED x
            announce(p, ctl, CheckpointStatus.PROMOTED, seq, 0);
            announce(p, x, CheckpointStatus.CANDIDATE, seq + 1, 0.5);
            await("judge sees candidate x", () -> x.equals(canary().getCandidateCheckpointId()));
            assertEquals(ctl, canary().getControlCheckpointId());
            for (int i = 0; i < 40; i++) {
                String c = run + "-c-" + i;
                generation(p, c, "control", ctl);
                feedback(p, c, FeedbackEvent.newBuilder().setThumbsUp(i % 10 < 3));
                String k = run + "-x-" + i;
                FeedbackEvent.Builder f = FeedbackEvent.newBuilder().setThumbsUp(i % 10 < 9);
                if (i % 2 == 0) { // feedback before its generation: kept until the generation comes
                    feedback(p, k, f);
                    generation(p, k, "candidate", x);
                } else {
                    generation(p, k, "candidate", x);
                    feedback(p, k, f);
                }
            }
            feedback(p, run + "-x-1", FeedbackEvent.newBuilder().setThumbsUp(false)); // duplicate: ignored
            feedback(p, "nobody-" + run, FeedbackEvent.newBuilder().setThumbsUp(true)); // never a generation
            feedback(p, "big-" + run, FeedbackEvent.newBuilder().setReward(1.5));
            feedback(p, "none-" + run, FeedbackEvent.newBuilder());
            p.send(new ProducerRecord<>(Topics.FEEDBACK, "bad-" + run, "{oops".getBytes(StandardCharsets.UTF_8)));
            p.flush();

            CheckpointEvent promoted = awaitEvent(e -> e.getStatus() == CheckpointStatus.PROMOTED
                    && e.getCheckpointId().equals(x));
            assertTrue(promoted.getSequence() > seq + 1, "a new sequence: " + promoted.getSequence());
            assertTrue(promoted.getPromoted());
            assertTrue(promoted.getReason().contains("candidate wins"), promoted.getReason());
            assertTrue(promoted.getReason().contains("newcombe"), promoted.getReason());
            await("x is the control", () -> x.equals(canary().getControlCheckpointId())
                    && canary().getCandidateCheckpointId().isEmpty());
            given().get("/canary").then().statusCode(200).body(containsString("\"controlCheckpointId\":\"" + x + "\""))
                    .body(containsString("\"verdict\":\"NO_CANDIDATE\""));

            Map<String, String> reasons = dlqReasons(List.of("nobody-" + run, "big-" + run, "none-" + run, "bad-" + run));
            assertTrue(reasons.get("nobody-" + run).contains("no generation with request id"), reasons.toString());
            assertTrue(reasons.get("big-" + run).contains("reward must be in [0, 1]"), reasons.toString());
            assertTrue(reasons.get("none-" + run).contains("needs reward or thumbs_up"), reasons.toString());
            assertTrue(reasons.get("bad-" + run).contains("not a valid FeedbackEvent JSON"), reasons.toString());
            assertTrue(canary().getFeedbackDuplicate() >= 1);

            // ---- round 2: graded rewards, candidate y (about 0.2) against control x (about 0.8) -> ROLLED_BACK y
            announce(p, y, CheckpointStatus.CANDIDATE, promoted.getSequence() + 1, 0.5);
            await("judge sees candidate y", () -> y.equals(canary().getCandidateCheckpointId()));
            for (int i = 0; i < 35; i++) {
                String c = run + "-c2-" + i;
                generation(p, c, "control", x);
                feedback(p, c, FeedbackEvent.newBuilder().setReward(0.7 + (i % 5) * 0.05));
                String k = run + "-y-" + i;
                generation(p, k, "candidate", y);
                feedback(p, k, FeedbackEvent.newBuilder().setReward(0.1 + (i % 5) * 0.05));
            }
            p.flush();
            CheckpointEvent rolled = awaitEvent(e -> e.getStatus() == CheckpointStatus.ROLLED_BACK
                    && e.getRolledBackCheckpointId().equals(y));
            assertEquals(x, rolled.getCheckpointId(), "the control served afterwards");
            assertTrue(rolled.getReason().contains("candidate loses"), rolled.getReason());
            assertTrue(rolled.getReason().contains("welch"), rolled.getReason());
            assertTrue(rolled.getSequence() > promoted.getSequence());
            await("no candidate", () -> canary().getCandidateCheckpointId().isEmpty());
            assertEquals(x, canary().getControlCheckpointId());

            // ---- manual calls: nothing to roll back; a REJECTED checkpoint is never promoted
            StatusRuntimeException none = assertThrows(StatusRuntimeException.class,
                    () -> trainer.rollbackCheckpoint(RollbackRequest.getDefaultInstance()));
            assertEquals(Status.Code.FAILED_PRECONDITION, none.getStatus().getCode());
            String z = "rejected-" + run;
            announce(p, z, CheckpointStatus.REJECTED, rolled.getSequence() + 1, 0);
            await("ledger knows z was rejected", () -> ledger.state().rejected().contains(z));
            StatusRuntimeException rej = assertThrows(StatusRuntimeException.class,
                    () -> trainer.promoteCheckpoint(PromoteRequest.newBuilder().setCheckpointId(z).build()));
            assertEquals(Status.Code.FAILED_PRECONDITION, rej.getStatus().getCode());
            assertTrue(rej.getStatus().getDescription().contains("REJECTED"));
            // manual rollback of the promoted x back to ctl (the one promoted before it)
            trainer.rollbackCheckpoint(RollbackRequest.newBuilder().setCheckpointId(x).build());
            CheckpointEvent back = awaitEvent(e -> e.getStatus() == CheckpointStatus.ROLLED_BACK
                    && e.getRolledBackCheckpointId().equals(x));
            assertEquals(ctl, back.getCheckpointId());
            await("ctl is the control again", () -> ctl.equals(canary().getControlCheckpointId()));
        }
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("zhyper_trainer_canary_mean_reward"))
                .body(containsString("zhyper_trainer_canary_decisions_total"));
    }

    @Test
    void aNewPublisherContinuesAfterTheHighestSequenceOnTheTopic() throws Exception {
        await("ledger read zhyper.checkpoints", ledger::caughtUp);
        String run = "s" + System.nanoTime();
        long ahead = Math.max(ledger.state().sequence(), System.currentTimeMillis()) + 60_000; // a clock 1 min ahead
        try (KafkaProducer<String, byte[]> p = producer()) {
            announce(p, "ungated-" + run, CheckpointStatus.UNGATED, ahead, 0);
        }
        try (dev.zhyper.trainer.EventPublisher events = new dev.zhyper.trainer.EventPublisher(KafkaClientConfig.plain(bootstrap),
                dev.zhyper.trainer.TrainerState.open(java.nio.file.Files.createTempDirectory("announcer-")))) {
            try (dev.zhyper.service.common.CheckpointFollower f = new dev.zhyper.service.common.CheckpointFollower(
                    KafkaClientConfig.plain(bootstrap), "test-announcer-" + run,
                    history -> history.forEach(r -> events.observeSequence(sequenceOf(r.value()))),
                    r -> events.observeSequence(sequenceOf(r.value()))).start()) {
                assertTrue(f.awaitCaughtUp(Duration.ofSeconds(60)));
                CheckpointEvent e = events.announce(CheckpointEvent.newBuilder().setCheckpointId("ungated2-" + run)
                        .setUri("file:///nowhere").setSha256(SHA).setStatus(CheckpointStatus.UNGATED));
                assertEquals(ahead + 1, e.getSequence(), "max(last + 1, now) with last recovered from the topic");
            }
        }
    }

    Map<String, String> dlqReasons(List<String> keys) {
        List<ConsumerRecord<byte[], byte[]>> recs = KafkaTestClient.readUntil(bootstrap, Topics.dlq(Topics.FEEDBACK),
                Duration.ofSeconds(120), l -> keys.stream().allMatch(k -> l.stream().anyMatch(r -> k.equals(key(r)))));
        Map<String, String> out = new java.util.HashMap<>();
        for (String k : keys) {
            Optional<ConsumerRecord<byte[], byte[]>> r = recs.stream().filter(x -> k.equals(key(x))).findFirst();
            assertTrue(r.isPresent(), "no dead letter for " + k);
            out.put(k, KafkaTestClient.header(r.get(), Topics.DLQ_REASON_HEADER));
        }
        return out;
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }
}
