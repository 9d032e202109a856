package dev.zhyper.service.common;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Plain Kafka producer/consumer helpers for tests and the CLI (bytes in, bytes out). */
public final class KafkaTestClient {

    private KafkaTestClient() {}

    /** Sends one record to a plain broker and waits for the acknowledgement. */
    public static void send(String bootstrap, String topic, String key, byte[] value) {
        send(KafkaClientConfig.plain(bootstrap), topic, key, value);
    }

    /** Sends one record and waits for the acknowledgement. */
    public static void send(KafkaClientConfig kafka, String topic, String key, byte[] value) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(kafka.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000)),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("sending to " + topic + " failed", e);
        }
    }

    /**
     * Reads {@code topic} from the beginning (fresh group) until {@code until} holds for the records read so far or
     * the timeout passes; returns everything read.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readUntil(String bootstrap, String topic, Duration timeout,
                                                                 Predicate<List<ConsumerRecord<byte[], byte[]>>> until) {
        return readUntil(KafkaClientConfig.plain(bootstrap), topic, timeout, until);
    }

    /** As {@link #readUntil(String, String, Duration, Predicate)}, with {@code kafka}'s settings. */
    public static List<ConsumerRecord<byte[], byte[]>> readUntil(KafkaClientConfig kafka, String topic, Duration timeout,
                                                                 Predicate<List<ConsumerRecord<byte[], byte[]>>> until) {
        List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "zhyper-test-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!until.test(got) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(250)).forEach(got::add);
            }
        }
        return got;
    }

    /** The UTF-8 value of the last header named {@code key}, or null. */
    public static String header(ConsumerRecord<?, ?> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
