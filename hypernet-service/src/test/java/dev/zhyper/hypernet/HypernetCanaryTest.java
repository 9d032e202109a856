package dev.zhyper.hypernet;

import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.proto.v1.HypernetGrpc;
import dev.zhyper.proto.v1.ModulateRequest;
import dev.zhyper.service.common.CheckpointFollower;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.KafkaClientConfig;
import dev.zhyper.service.common.KafkaBrokerResource;
import dev.zhyper.service.common.KafkaTestClient;
import dev.zhyper.service.common.ProtoJson;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The canary lifecycle on the hypernet against the real broker: a CANDIDATE is loaded and pinned beside the current
 * (promoted) checkpoint and answers requests naming it, PROMOTED makes it current, a REJECTED checkpoint is never
 * loaded, an older sequence is ignored, and a new replica starting afterwards has the same current + candidate.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(HypernetTestResource.class)
class HypernetCanaryTest {

    static final String D = "speak like someone from Spain";

    @GrpcClient("hypernet")
    HypernetGrpc.HypernetBlockingStub hypernet;

    @Inject
    CheckpointRegistry registry;

    @Inject
    CheckpointConsumer consumer;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "zhyper.model.dir")
    String modelDir;

    @ConfigProperty(name = "zhyper.test.root")
    String root;

    record Ckpt(Path dir, String id, String sha) {
        static Ckpt of(Path dir) {
            return new Ckpt(dir, TestCheckpoints.id(dir), TestCheckpoints.fingerprint(dir));
        }
    }

    void announce(Ckpt c, CheckpointStatus status, long seq, double share) {
        KafkaTestClient.send(bootstrap, Topics.CHECKPOINTS, c.id(), ProtoJson.encode(CheckpointEvent.newBuilder()
                .setSchemaVersion(1).setCheckpointId(c.id()).setUri(c.dir().toUri().toString()).setSha256(c.sha())
                .setStatus(status).setSequence(seq).setTrafficShare(share)));
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!cond.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(100);
        assertTrue(cond.getAsBoolean(), what);
    }

    String currentId() {
        return hypernet.modulate(ModulateRequest.newBuilder().setDescription(D).build()).getCheckpointId();
    }

    @Test
    void candidateIsPinnedBesideTheControlPromotedRejectedNeverLoadedAndANewReplicaAgrees() throws Exception {
        await("history applied", consumer::caughtUp);
        long seq = System.currentTimeMillis();
        Path model = Path.of(modelDir);
        Ckpt p = Ckpt.of(TestCheckpoints.checkpoint(model, Path.of(root).resolve("canary-p-" + seq), AdapterMethod.DIAG, 31));
        Ckpt q = Ckpt.of(TestCheckpoints.checkpoint(model, Path.of(root).resolve("canary-q-" + seq), AdapterMethod.DIAG, 32));
        Ckpt r = Ckpt.of(TestCheckpoints.checkpoint(model, Path.of(root).resolve("canary-r-" + seq), AdapterMethod.DIAG, 33));

        announce(p, CheckpointStatus.PROMOTED, seq + 1, 0);
        await("p is current", () -> p.id().equals(currentId()));
        announce(q, CheckpointStatus.CANDIDATE, seq + 2, 0.25);
        await("q is the candidate", () -> q.id().equals(registry.candidateId()));
        assertEquals(p.id(), currentId(), "requests without checkpoint_id stay on the control");
        assertEquals(q.id(), hypernet.modulate(ModulateRequest.newBuilder().setDescription(D)
                .setCheckpointId(q.id()).build()).getCheckpointId(), "the candidate answers requests naming it");

        // REJECTED r, and r announced as CANDIDATE anyway: refused, never loaded
        announce(r, CheckpointStatus.REJECTED, seq + 3, 0);
        announce(r, CheckpointStatus.CANDIDATE, seq + 4, 0.5);
        List<ConsumerRecord<byte[], byte[]>> dlq = KafkaTestClient.readUntil(bootstrap, Topics.dlq(Topics.CHECKPOINTS),
                Duration.ofSeconds(60), l -> l.stream().anyMatch(x -> r.id().equals(key(x))));
        String reason = KafkaTestClient.header(dlq.stream().filter(x -> r.id().equals(key(x))).findFirst().orElseThrow(),
                Topics.DLQ_REASON_HEADER);
        assertTrue(reason.contains("REJECTED"), reason);
        assertFalse(registry.loadedIds().contains(r.id()), "a rejected checkpoint is never loaded");

        // PROMOTED q; then a replayed older promotion of p is ignored
        announce(q, CheckpointStatus.PROMOTED, seq + 5, 0);
        await("q is current", () -> q.id().equals(currentId()));
        assertEquals(null, registry.candidateId());
        announce(p, CheckpointStatus.PROMOTED, seq + 1, 0);
        announce(p, CheckpointStatus.CANDIDATE, seq + 6, 0.1); // barrier, applied after the stale event
        await("p is the candidate", () -> p.id().equals(registry.candidateId()));
        assertEquals(q.id(), currentId(), "the older event did not roll back");

        // a new replica (registry + follower) starting now: current q, candidate p
        try (CheckpointRegistry replica = new CheckpointRegistry(ModelConfig.load(model), 4);
             DeadLetterPublisher dlqPub = new DeadLetterPublisher(KafkaClientConfig.plain(bootstrap))) {
            RegistryUpdater updater = new RegistryUpdater(replica, false, dlqPub, new SimpleMeterRegistry(),
                    dev.zhyper.service.common.CheckpointPaths.fromConfig(System.getProperty("java.io.tmpdir")));
            try (CheckpointFollower f = new CheckpointFollower(KafkaClientConfig.plain(bootstrap), "test-hypernet-replica-" + seq,
                    updater::onHistory, updater::onLive).start()) {
                assertTrue(f.awaitCaughtUp(Duration.ofSeconds(90)));
                assertEquals(q.id(), replica.current().id());
                assertEquals(p.id(), replica.candidateId());
                assertTrue(replica.loadedIds().contains(p.id()));
                assertFalse(replica.loadedIds().contains(r.id()));
            }
        }
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }
}
