package dev.zhyper.generator;

import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.checkpoint.Checkpoint;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.proto.v1.GateResult;
import dev.zhyper.proto.v1.GenerateRequest;
import dev.zhyper.proto.v1.GenerateResponse;
import dev.zhyper.proto.v1.GenerationEvent;
import dev.zhyper.proto.v1.GeneratorGrpc;
import dev.zhyper.service.common.CheckpointFollower;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.KafkaClientConfig;
import dev.zhyper.service.common.KafkaBrokerResource;
import dev.zhyper.service.common.KafkaTestClient;
import dev.zhyper.service.common.ProtoJson;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The canary lifecycle against the real broker and engine: CheckpointEvents (CANDIDATE, REJECTED, PROMOTED, a
 * replayed older one, ROLLED_BACK) drive the arms of the running generator — requests of a key in the candidate
 * split are served by the candidate checkpoint under arm "candidate", a REJECTED checkpoint never answers, an older
 * sequence changes nothing — and a new replica started after the events serves the current promoted checkpoint and
 * candidate. The app's followed (control) arm is "treatment" (TinyModelResource: control=a:90, treatment=b:10).
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(TinyModelResource.class)
class GeneratorCanaryTest {

    static final String CONTROL = "treatment";

    @GrpcClient("generator")
    GeneratorGrpc.GeneratorBlockingStub stub;

    @Inject
    Serving serving;

    @Inject
    MeterRegistry meters;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "zhyper.model.dir")
    String modelDir;

    @ConfigProperty(name = "zhyper.test.tmp")
    String tmp;

    record Ckpt(Path dir, String id, String sha) {}

    Ckpt make(String name, long seed) throws Exception {
        Path d = TinyModelResource.checkpoint(Path.of(modelDir), Path.of(tmp).resolve(name), seed);
        try (Checkpoint c = Checkpoint.open(d)) {
            return new Ckpt(d, c.id(), c.fingerprint());
        }
    }

    void announce(Ckpt c, CheckpointStatus status, long seq, double share, String rolledBack) {
        announce(c, status, seq, share, rolledBack, null);
    }

    void announce(Ckpt c, CheckpointStatus status, long seq, double share, String rolledBack, GateResult gate) {
        CheckpointEvent.Builder b = CheckpointEvent.newBuilder().setSchemaVersion(1).setCheckpointId(c.id())
                .setUri(c.dir().toUri().toString()).setSha256(c.sha()).setStatus(status).setSequence(seq)
                .setTrafficShare(share);
        if (rolledBack != null) b.setRolledBackCheckpointId(rolledBack);
        if (gate != null) b.setGate(gate);
        KafkaTestClient.send(bootstrap, Topics.CHECKPOINTS, c.id(), ProtoJson.encode(b));
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!cond.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(100);
        assertTrue(cond.getAsBoolean(), what);
    }

    String keyFor(String arm) {
        for (int i = 0; ; i++) {
            if (serving.chooser().choose("canary-key-" + i).name().equals(arm)) return "canary-key-" + i;
        }
    }

    GenerateResponse generate(String key, String requestId) {
        return stub.generate(GenerateRequest.newBuilder().setPrompt("abc").setMaxTokens(4).setAbKey(key)
                .setDescription(TinyModelResource.DESCRIPTIONS.get(0)).setRequestId(requestId).build());
    }

    double counted(String result) {
        var c = meters.find("zhyper.generator.checkpoints").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void candidateArmPromotionRejectionStaleEventsAndANewReplica() throws Exception {
        long seq = System.currentTimeMillis();
        Ckpt f = make("ckpt-canary-f", 66);
        Ckpt g = make("ckpt-canary-g", 77);
        Ckpt h = make("ckpt-canary-h", 88);
        String controlBefore = serving.armCheckpoints().get(CONTROL);
        String otherArm = serving.armCheckpoints().get("control");

        // CANDIDATE f at half of the control arm's traffic, gated against what the control arm served
        GateResult fGate = GateResult.newBuilder().setPassed(true).setAccuracy(0.75).setServedAccuracy(0.5)
                .setServedCheckpointId("ckpt-served-at-gate").setItems(40).setMargin(0.02)
                .setReason("accuracy 0.75 >= served 0.50 - margin 0.02").setEvalSet("heldout.jsonl").build();
        announce(f, CheckpointStatus.CANDIDATE, seq + 1, 0.5, null, fGate);
        await("candidate arm serves f", () -> f.id().equals(serving.candidateId()));
        assertEquals(0.5, serving.candidateShare());
        String candKey = keyFor("candidate");
        String ctlKey = keyFor(CONTROL);
        String reqId = "canary-req-" + System.nanoTime();
        GenerateResponse rc = generate(candKey, reqId);
        assertEquals("candidate", rc.getArm());
        assertEquals(f.id(), rc.getCheckpointId());
        for (int i = 0; i < 2; i++) assertEquals("candidate", generate(candKey, "x" + i + reqId).getArm(), "sticky");
        GenerateResponse rt = generate(ctlKey, "t-" + reqId);
        assertEquals(CONTROL, rt.getArm());
        assertEquals(controlBefore, rt.getCheckpointId());
        assertEquals(otherArm, serving.armCheckpoints().get("control"), "the other static arm is untouched");
        List<ConsumerRecord<byte[], byte[]>> gens = KafkaTestClient.readUntil(bootstrap, Topics.GENERATIONS,
                Duration.ofSeconds(60), l -> l.stream().anyMatch(x -> reqId.equals(key(x))));
        GenerationEvent ge = ProtoJson.decode(gens.stream().filter(x -> reqId.equals(key(x))).findFirst()
                .orElseThrow().value(), GenerationEvent::newBuilder);
        assertEquals("candidate", ge.getArm());
        assertEquals(f.id(), ge.getCheckpointId());

        // REJECTED g, then g announced as CANDIDATE anyway: refused to the DLQ, never served
        GateResult gGate = GateResult.newBuilder().setPassed(false).setAccuracy(0.25).setServedAccuracy(0.5)
                .setServedCheckpointId("ckpt-served-at-gate").setItems(40).setMargin(0.02)
                .setReason("accuracy 0.25 < served 0.50 - margin 0.02").setEvalSet("heldout.jsonl").build();
        announce(g, CheckpointStatus.REJECTED, seq + 2, 0, null, gGate);
        announce(g, CheckpointStatus.CANDIDATE, seq + 3, 0.5, null);
        List<ConsumerRecord<byte[], byte[]>> dlq = KafkaTestClient.readUntil(bootstrap, Topics.dlq(Topics.CHECKPOINTS),
                Duration.ofSeconds(60), l -> l.stream().anyMatch(x -> g.id().equals(key(x))));
        String reason = KafkaTestClient.header(dlq.stream().filter(x -> g.id().equals(key(x))).findFirst().orElseThrow(),
                Topics.DLQ_REASON_HEADER);
        assertTrue(reason.contains("REJECTED"), reason);
        assertEquals(f.id(), serving.candidateId());
        for (int i = 0; i < 20; i++) assertNotEquals(g.id(), generate("any-" + i, "g" + i + reqId).getCheckpointId());

        // the playground's GET /zhyper/v1/serving: the candidate arm with f's gate, g listed with its reason
        JsonPath sv = given().get("/zhyper/v1/serving").then().statusCode(200).extract().jsonPath();
        Map<String, Object> candArm = sv.getMap("arms.find { it.name == 'candidate' }");
        assertEquals(f.id(), candArm.get("checkpoint_id"), sv.prettify());
        assertEquals("CANDIDATE", candArm.get("status"), sv.prettify());
        assertEquals(0.75, sv.getDouble("arms.find { it.name == 'candidate' }.gate.accuracy"), 1e-9);
        assertEquals(0.5, sv.getDouble("arms.find { it.name == 'candidate' }.gate.served_accuracy"), 1e-9);
        assertEquals(0.02, sv.getDouble("arms.find { it.name == 'candidate' }.gate.margin"), 1e-9);
        assertEquals("ckpt-served-at-gate", sv.getString("arms.find { it.name == 'candidate' }.gate.served_checkpoint_id"));
        assertEquals(40, sv.getInt("arms.find { it.name == 'candidate' }.gate.items"));
        assertTrue(sv.getBoolean("arms.find { it.name == 'candidate' }.gate.passed"));
        Map<String, Object> gSeen = sv.getMap("checkpoints.find { it.checkpoint_id == '" + g.id() + "' }");
        assertEquals("REJECTED", gSeen.get("status"), sv.prettify());
        assertEquals(Boolean.TRUE, gSeen.get("never_served"), sv.prettify());
        assertEquals(List.of(), gSeen.get("arms"), sv.prettify());
        assertEquals(gGate.getReason(),
                sv.getString("checkpoints.find { it.checkpoint_id == '" + g.id() + "' }.gate.reason"));
        assertFalse(sv.getBoolean("checkpoints.find { it.checkpoint_id == '" + g.id() + "' }.gate.passed"));
        List<String> listed = sv.getList("checkpoints.checkpoint_id");
        assertTrue(listed.indexOf(g.id()) < listed.indexOf(f.id()), "newest first: " + listed);
        assertEquals(List.of("candidate"), sv.getList("checkpoints.find { it.checkpoint_id == '" + f.id() + "' }.arms"));

        // PROMOTED f: the control arm serves it (same engine moved), the candidate arm is gone
        announce(f, CheckpointStatus.PROMOTED, seq + 4, 0, null);
        await("control arm serves f", () -> f.id().equals(serving.armCheckpoints().get(CONTROL)));
        assertNull(serving.candidateId());
        GenerateResponse after = generate(candKey, "p-" + reqId);
        assertEquals(CONTROL, after.getArm(), "the candidate's users are back on the control arm");
        assertEquals(f.id(), after.getCheckpointId());

        // a replayed older promotion (sequence lower than the last applied) is ignored and counted
        double stale0 = counted("stale");
        Ckpt old = new Ckpt(Path.of(tmp).resolve("ckpt-c"), null, null);
        try (Checkpoint c = Checkpoint.open(old.dir())) {
            old = new Ckpt(old.dir(), c.id(), c.fingerprint());
        }
        announce(old, CheckpointStatus.PROMOTED, seq + 1, 0, null);
        announce(h, CheckpointStatus.CANDIDATE, seq + 5, 0.3, null); // a barrier: applied after the stale one
        await("candidate h", () -> h.id().equals(serving.candidateId()));
        assertEquals(stale0 + 1, counted("stale"));
        assertEquals(f.id(), serving.armCheckpoints().get(CONTROL), "the older event did not roll back");

        // a new replica starting now serves the current promoted checkpoint and candidate
        ModelOptions options = new ModelOptions(ModelOptions.parseDevice("cpu"), ModelOptions.parseDtype("fp32"));
        try (Serving replica = Serving.open(Path.of(modelDir), null,
                "control=" + Path.of(tmp).resolve("ckpt-a") + ":90,treatment=" + Path.of(tmp).resolve("ckpt-b") + ":10",
                options, CONTROL, "candidate");
             DeadLetterPublisher dlqPub = new DeadLetterPublisher(KafkaClientConfig.plain(bootstrap))) {
            assertNotEquals(f.id(), replica.armCheckpoints().get(CONTROL), "configured start differs");
            ServingUpdater updater = new ServingUpdater(replica, dlqPub, new SimpleMeterRegistry(),
                    dev.zhyper.service.common.CheckpointPaths.fromConfig(System.getProperty("java.io.tmpdir")));
            try (CheckpointFollower follower = new CheckpointFollower(KafkaClientConfig.plain(bootstrap), "test-replica-" + System.nanoTime(),
                    updater::onHistory, updater::onLive).start()) {
                assertTrue(follower.awaitCaughtUp(Duration.ofSeconds(90)));
                assertEquals(f.id(), replica.armCheckpoints().get(CONTROL), "the current promoted checkpoint");
                assertEquals(h.id(), replica.candidateId(), "the current candidate");
                assertEquals(0.3, replica.candidateShare());
                assertEquals(serving.armCheckpoints(), replica.armCheckpoints(), "same arms as the running replica");
                assertEquals(seq + 5, updater.state().sequence());

                // ROLLED_BACK of candidate h (the event names the control served afterwards): both withdraw it
                announce(f, CheckpointStatus.ROLLED_BACK, seq + 6, 0, h.id());
                await("replica withdrew h", () -> replica.candidateId() == null);
                await("app withdrew h", () -> serving.candidateId() == null);
                assertEquals(f.id(), replica.armCheckpoints().get(CONTROL));
                assertEquals(f.id(), serving.armCheckpoints().get(CONTROL));
            }
        }
        assertTrue(Objects.equals(f.id(), generate(ctlKey, "end-" + reqId).getCheckpointId()));
    }

    /** Uses only APIs the generator had before the canary, so it also runs (and fails) on the old code. */
    @Test
    void aRejectedOrOlderAnnouncementNeverChangesWhatServes() throws Exception {
        long seq = System.currentTimeMillis();
        Ckpt g1 = make("ckpt-order-g1-" + seq, 101);
        Ckpt r = make("ckpt-order-r-" + seq, 102);
        Ckpt old;
        Path c = Path.of(tmp).resolve("ckpt-c");
        try (Checkpoint cc = Checkpoint.open(c)) {
            old = new Ckpt(c, cc.id(), cc.fingerprint());
        }
        String key = keyFor(CONTROL);
        announce(g1, CheckpointStatus.PROMOTED, seq + 1, 0, null);
        await("control arm serves g1", () -> g1.id().equals(generate(key, "o1-" + seq).getCheckpointId()));
        announce(r, CheckpointStatus.REJECTED, seq + 2, 0, null);
        announce(old, CheckpointStatus.PROMOTED, seq, 0, null); // older than the last applied
        String barrier = "barrier-" + seq; // undecodable: dead-lettered after the two events above were handled
        KafkaTestClient.send(bootstrap, Topics.CHECKPOINTS, barrier, "{barrier".getBytes(StandardCharsets.UTF_8));
        KafkaTestClient.readUntil(bootstrap, Topics.dlq(Topics.CHECKPOINTS), Duration.ofSeconds(90),
                l -> l.stream().anyMatch(x -> barrier.equals(key(x))));
        assertEquals(g1.id(), serving.armCheckpoints().get(CONTROL), "neither the REJECTED nor the older one serves");
        for (int i = 0; i < 5; i++) assertEquals(g1.id(), generate(key, "o2-" + i + seq).getCheckpointId());
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }
}
