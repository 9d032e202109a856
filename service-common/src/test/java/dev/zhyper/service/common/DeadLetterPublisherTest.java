package dev.zhyper.service.common;

import dev.zhyper.proto.Topics;
import dev.zhyper.stack.EmbeddedKafka;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The consumers' one dead-letter call: a consumed record goes to its DLQ unchanged, with the headers, and is counted. */
class DeadLetterPublisherTest {

    @TempDir
    Path tmp;

    private static ConsumerRecord<String, byte[]> consumed(String key, String value, long offset) {
        RecordHeaders hs = new RecordHeaders();
        hs.add(new RecordHeader("trace", "t-1".getBytes(StandardCharsets.UTF_8)));
        hs.add(new RecordHeader(Topics.DLQ_REASON_HEADER, "stale".getBytes(StandardCharsets.UTF_8)));
        return new ConsumerRecord<>(Topics.CONTEXTS, 0, offset, -1L, TimestampType.NO_TIMESTAMP_TYPE, -1, -1, key,
                value.getBytes(StandardCharsets.UTF_8), hs, Optional.empty());
    }

    @Test
    void sendCarriesTheConsumedRecordAndCountsIt() {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("k")).deleteLogDirOnClose(true);
             DeadLetterPublisher dlq = new DeadLetterPublisher(KafkaClientConfig.plain(kafka.bootstrapServers()))) {
            Counter deadLettered = new SimpleMeterRegistry().counter("zhyper.test.dead.lettered");
            dlq.send(consumed("ctx-1", "{bad", 41), "not a valid ContextEvent JSON", deadLettered);
            dlq.send(consumed(null, "{worse", 42), "no key");
            assertEquals(1.0, deadLettered.count());

            List<ConsumerRecord<byte[], byte[]>> got = KafkaTestClient.readUntil(kafka.bootstrapServers(),
                    Topics.dlq(Topics.CONTEXTS), Duration.ofSeconds(30), l -> l.size() >= 2);
            assertEquals(2, got.size());
            ConsumerRecord<byte[], byte[]> a = got.get(0);
            assertEquals("ctx-1", new String(a.key(), StandardCharsets.UTF_8));
            assertEquals("{bad", new String(a.value(), StandardCharsets.UTF_8));
            assertEquals("t-1", KafkaTestClient.header(a, "trace"));
            assertEquals("not a valid ContextEvent JSON", KafkaTestClient.header(a, Topics.DLQ_REASON_HEADER));
            assertEquals(Topics.CONTEXTS, KafkaTestClient.header(a, Topics.DLQ_TOPIC_HEADER));
            assertEquals("41", KafkaTestClient.header(a, Topics.DLQ_OFFSET_HEADER));
            assertEquals("0", KafkaTestClient.header(a, Topics.DLQ_PARTITION_HEADER));
            assertEquals(1, a.headers().toArray().length - 4, "the old reason header is replaced, not repeated");
            ConsumerRecord<byte[], byte[]> b = got.get(1);
            assertNull(b.key());
            assertEquals("no key", KafkaTestClient.header(b, Topics.DLQ_REASON_HEADER));
            assertEquals("42", KafkaTestClient.header(b, Topics.DLQ_OFFSET_HEADER));
        }
    }

    @Test
    void statusReasonsNameTheCodeOthersTheExceptionAndItsCause() {
        assertEquals("INVALID_ARGUMENT: description is blank", DeadLetterPublisher.statusReasonOf(
                Status.INVALID_ARGUMENT.withDescription("description is blank").asRuntimeException()));
        assertEquals("NOT_FOUND: no such job", DeadLetterPublisher.statusReasonOf(
                Status.NOT_FOUND.withDescription("no such job").asException()));
        IllegalStateException e = new IllegalStateException("outer", new java.io.IOException("disk"));
        assertEquals("IllegalStateException: outer (caused by IOException: disk)", DeadLetterPublisher.statusReasonOf(e));
        assertEquals(DeadLetterPublisher.reasonOf(e), DeadLetterPublisher.statusReasonOf(e));
    }
}
