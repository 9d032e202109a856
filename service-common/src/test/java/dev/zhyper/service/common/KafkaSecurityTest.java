package dev.zhyper.service.common;

import dev.zhyper.proto.Topics;
import dev.zhyper.stack.EmbeddedKafka;
import dev.zhyper.stack.SelfSignedTls;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-built clients of service-common against a real broker that only lets SASL_SSL clients in on the port
 * they are given (TLS with a certificate made by this test, SCRAM-SHA-256): with the right {@code kafka.*} settings
 * they work; with a wrong password they say so (an {@link AuthenticationException}, within seconds), never hang.
 */
class KafkaSecurityTest {

    static final String USER = "zhyper-svc";
    static final String PASSWORD = "right-password-42";

    @TempDir
    static Path tmp;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void broker() {
        SelfSignedTls tls = SelfSignedTls.generate(tmp.resolve("tls"));
        kafka = EmbeddedKafka.startSecure(tmp.resolve("k"), new EmbeddedKafka.SecureListener(tls, USER, PASSWORD))
                .deleteLogDirOnClose(true);
        kafka.createTopics(Topics.CHECKPOINTS, Topics.dlq(Topics.CONTEXTS));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) kafka.close();
    }

    static KafkaClientConfig secure(String password) {
        return KafkaClientConfig.of(kafka.clientProperties(USER, password));
    }

    @Test
    void followerAndDeadLettersWorkOverSaslSsl() throws Exception {
        KafkaClientConfig k = secure(PASSWORD);
        KafkaTestClient.send(k, Topics.CHECKPOINTS, "h0", "h0".getBytes(StandardCharsets.UTF_8));
        List<List<String>> histories = new CopyOnWriteArrayList<>();
        List<String> live = new CopyOnWriteArrayList<>();
        try (CheckpointFollower f = new CheckpointFollower(k, "test-secure-follower",
                h -> histories.add(h.stream().map(ConsumerRecord::key).toList()), r -> live.add(r.key())).start();
             DeadLetterPublisher dlq = new DeadLetterPublisher(k)) {
            assertTrue(f.awaitCaughtUp(Duration.ofSeconds(60)));
            assertEquals(List.of(List.of("h0")), histories, "history read through SASL_SSL");
            KafkaTestClient.send(k, Topics.CHECKPOINTS, "l0", new byte[] {1});
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (live.isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(List.of("l0"), live);
            assertNull(f.lastError());

            dlq.publish(Topics.CONTEXTS, 0, 3, null, "{bad".getBytes(StandardCharsets.UTF_8), null, "not JSON");
            List<ConsumerRecord<byte[], byte[]>> got = KafkaTestClient.readUntil(k, Topics.dlq(Topics.CONTEXTS),
                    Duration.ofSeconds(30), l -> !l.isEmpty());
            assertEquals(1, got.size());
            assertEquals("not JSON", KafkaTestClient.header(got.get(0), Topics.DLQ_REASON_HEADER));
        }
    }

    @Test
    void aWrongPasswordIsReportedNotHungOn() throws Exception {
        KafkaClientConfig wrong = secure("wrong-password");
        try (DeadLetterPublisher dlq = new DeadLetterPublisher(wrong)) {
            long t0 = System.nanoTime();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> dlq.publish(Topics.CONTEXTS, 0, 1,
                    null, new byte[] {1}, null, "x"));
            assertTrue(e.getMessage().contains("refused this client's credentials"), e.getMessage());
            assertInstanceOf(AuthenticationException.class, e.getCause(), e.toString());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(25).toNanos(), "fails before the 30 s ack timeout");
        }
        List<List<ConsumerRecord<String, byte[]>>> histories = new CopyOnWriteArrayList<>();
        try (CheckpointFollower f = new CheckpointFollower(wrong, "test-wrong-password", histories::add, r -> { })
                .start()) {
            // the service starts from its configuration (an empty history) and the follower names the cause
            assertTrue(f.awaitCaughtUp(Duration.ofSeconds(30)), "does not keep a starting service waiting");
            assertEquals(List.of(List.of()), histories);
            assertInstanceOf(AuthenticationException.class, f.lastError(), String.valueOf(f.lastError()));
        }
    }
}
