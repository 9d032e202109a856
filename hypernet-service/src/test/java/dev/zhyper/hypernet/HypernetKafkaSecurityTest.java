package dev.zhyper.hypernet;

import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.AdapterEvent;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.ContextEvent;
import dev.zhyper.service.common.KafkaClientConfig;
import dev.zhyper.service.common.KafkaTestClient;
import dev.zhyper.service.common.ProtoJson;
import dev.zhyper.service.common.SecureKafkaBrokerResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hypernet against a broker that lets it in only over SASL_SSL (TLS with a test-made certificate, SCRAM-SHA-256),
 * configured with {@code kafka.*} keys only: the hand-built checkpoint follower and dead-letter producer and the
 * SmallRye channels (contexts in, adapters out) all work through it.
 */
@QuarkusTest
@TestProfile(HypernetKafkaSecurityTest.SecureKafka.class)
class HypernetKafkaSecurityTest {

    public static class SecureKafka implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SecureKafkaBrokerResource.class));
        }
    }

    @Inject
    CheckpointConsumer checkpointConsumer;

    @Inject
    CheckpointRegistry registry;

    @Inject
    KafkaClientConfig kafkaClients;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> channelsConfig;

    @Inject
    Config config;

    /** The test's own client: the kafka.* keys the resource set, with the broker's password. */
    static KafkaClientConfig testClient(Config config) {
        Map<String, Object> m = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("kafka.")) m.put(name.substring(6), config.getValue(name, String.class));
        }
        return KafkaClientConfig.of(m);
    }

    @Test
    void checkpointsDeadLettersAndChannelsWorkOverSaslSsl() throws Exception {
        KafkaClientConfig client = testClient(config);
        waitFor(checkpointConsumer::caughtUp, "zhyper.checkpoints history applied");
        assertNull(checkpointConsumer.kafkaError(), () -> String.valueOf(checkpointConsumer.kafkaError()));

        // hand-built consumer: a CheckpointEvent switches the served checkpoint
        Path b = Path.of(config.getValue("zhyper.test.checkpoint-b", String.class));
        String idB = TestCheckpoints.id(b);
        KafkaTestClient.send(client, Topics.CHECKPOINTS, idB, ProtoJson.encode(CheckpointEvent.newBuilder()
                .setSchemaVersion(1).setCheckpointId(idB).setUri(b.toUri().toString())
                .setSha256(TestCheckpoints.fingerprint(b)).setStep(2).setPromoted(true)));
        waitFor(() -> registry.current() != null && idB.equals(registry.current().id()), "serving b");

        // hand-built producer: an undecodable record goes to the DLQ with its reason
        KafkaTestClient.send(client, Topics.CHECKPOINTS, "garbage", "][".getBytes(StandardCharsets.UTF_8));
        List<ConsumerRecord<byte[], byte[]>> dlq = KafkaTestClient.readUntil(client, Topics.dlq(Topics.CHECKPOINTS),
                Duration.ofSeconds(60), l -> l.stream().anyMatch(r -> key(r).equals("garbage")));
        ConsumerRecord<byte[], byte[]> g = dlq.stream().filter(r -> key(r).equals("garbage")).findFirst().orElseThrow();
        String reason = KafkaTestClient.header(g, Topics.DLQ_REASON_HEADER);
        assertTrue(reason.contains("not a valid CheckpointEvent JSON"), reason);

        // SmallRye channels: a ContextEvent in, its AdapterEvent out
        String description = "answer like a sailor " + System.nanoTime();
        String hash = ModulationService.contextHash(description);
        KafkaTestClient.send(client, Topics.CONTEXTS, hash, ProtoJson.encode(ContextEvent.newBuilder()
                .setSchemaVersion(1).setContextId("sailor").setDescription(description)));
        List<ConsumerRecord<byte[], byte[]>> adapters = KafkaTestClient.readUntil(client, Topics.ADAPTERS,
                Duration.ofSeconds(60), l -> l.stream().anyMatch(r -> key(r).equals(hash)));
        AdapterEvent ev = ProtoJson.decode(adapters.stream().filter(r -> key(r).equals(hash)).findFirst()
                .orElseThrow().value(), AdapterEvent::newBuilder);
        assertEquals("sailor", ev.getContextId());
        assertEquals(idB, ev.getCheckpointId());

        given().get("/q/health/ready").then().statusCode(200).body(containsString(idB));
        assertEquals("SASL_SSL", kafkaClients.common().get("security.protocol"));
        assertEquals(channelsConfig.get("sasl.jaas.config"), kafkaClients.common().get("sasl.jaas.config"),
                "hand-built clients get what the channels get");
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
    }

    static void waitFor(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.get()) return;
            Thread.sleep(100);
        }
        assertTrue(condition.get(), "timed out waiting for: " + what);
    }
}
