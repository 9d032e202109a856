package dev.zhyper.service.common;

import dev.zhyper.proto.Topics;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes rejected records to {@code zhyper.dlq.<topic>}, unchanged (same key and value bytes, original headers
 * kept), with the headers {@code zhyper-dlq-reason}, {@code zhyper-dlq-topic}, {@code zhyper-dlq-offset},
 * {@code zhyper-dlq-partition}. {@link #publish} waits for the broker's acknowledgement and throws if it does not
 * come: the caller must then NOT commit the original record (never drop silently); each record sent is logged (WARN,
 * with its reason). A consumer sends what it consumed with {@link #send(ConsumerRecord, String, Counter)}, which also
 * counts it on the consumer's own dead-letter counter. Thread-safe.
 */
public final class DeadLetterPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterPublisher.class);
    /** Longest reason kept in the header (characters). */
    static final int MAX_REASON = 2000;

    private final KafkaProducer<byte[], byte[]> producer;

    /** A publisher with its own idempotent producer on {@code kafka}. */
    public DeadLetterPublisher(KafkaClientConfig kafka) {
        this(kafka, Map.of());
    }

    public DeadLetterPublisher(KafkaClientConfig kafka, Map<String, Object> extraProducerConfig) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ProducerConfig.ACKS_CONFIG, "all");
        cfg.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        cfg.put(ProducerConfig.CLIENT_ID_CONFIG, "zhyper-dlq-" + ProcessHandle.current().pid());
        cfg.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        cfg.putAll(extraProducerConfig);
        this.producer = new KafkaProducer<>(kafka.producer(cfg), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Sends the record to the topic's DLQ and waits (up to 30 s) for the acknowledgement.
     *
     * @param headers original headers to carry over (may be null)
     * @throws IllegalStateException if the DLQ write fails
     */
    public void publish(String topic, int partition, long offset, byte[] key, byte[] value, Iterable<Header> headers,
                        String reason) {
        String dlq = Topics.dlq(topic);
        String r = reason == null || reason.isBlank() ? "unknown" : reason;
        if (r.length() > MAX_REASON) r = r.substring(0, MAX_REASON);
        List<Header> hs = new ArrayList<>();
        if (headers != null) {
            for (Header h : headers) {
                if (!h.key().startsWith("zhyper-dlq-")) hs.add(h);
            }
        }
        hs.add(header(Topics.DLQ_REASON_HEADER, r));
        hs.add(header(Topics.DLQ_TOPIC_HEADER, topic));
        hs.add(header(Topics.DLQ_OFFSET_HEADER, Long.toString(offset)));
        hs.add(header(Topics.DLQ_PARTITION_HEADER, Integer.toString(partition)));
        try {
            producer.send(new ProducerRecord<>(dlq, null, key, value, hs)).get(30, TimeUnit.SECONDS);
            LOG.warn("record {}-{}@{} sent to {}: {}", topic, partition, offset, dlq, r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + dlq, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("writing to " + dlq + " failed: " + (c instanceof AuthenticationException
                    ? "the broker refused this client's credentials or TLS handshake (kafka.security.protocol,"
                    + " kafka.sasl.*, kafka.ssl.*): " : "") + c.getMessage(), c);
        } catch (TimeoutException e) {
            throw new IllegalStateException("writing to " + dlq + " failed: no acknowledgement within 30 s", e);
        }
    }

    /**
     * Sends a consumed record (key, value and headers unchanged) to its topic's DLQ: {@link #publish} with the
     * record's topic, partition and offset.
     *
     * @throws IllegalStateException if the DLQ write fails
     */
    public void send(ConsumerRecord<String, byte[]> record, String reason) {
        publish(record.topic(), record.partition(), record.offset(),
                record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value(),
                record.headers(), reason);
    }

    /**
     * {@link #send(ConsumerRecord, String)}, then counts the record on {@code deadLettered} (only once the DLQ has
     * acknowledged it).
     */
    public void send(ConsumerRecord<String, byte[]> record, String reason, Counter deadLettered) {
        send(record, reason);
        deadLettered.increment();
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A reason text for an exception: its class and message, and those of its root cause. */
    public static String reasonOf(Throwable t) {
        StringBuilder sb = new StringBuilder(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root != t) sb.append(" (caused by ").append(root.getClass().getSimpleName()).append(": ")
                .append(root.getMessage()).append(')');
        return sb.toString();
    }

    /**
     * The reason text of a refused request: {@code CODE: description} for a gRPC status (the request path's own
     * refusal), else {@link #reasonOf}.
     */
    public static String statusReasonOf(Throwable t) {
        Status s = t instanceof StatusRuntimeException sre ? sre.getStatus()
                : t instanceof StatusException se ? se.getStatus() : null;
        return s == null ? reasonOf(t) : s.getCode() + ": " + s.getDescription();
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
