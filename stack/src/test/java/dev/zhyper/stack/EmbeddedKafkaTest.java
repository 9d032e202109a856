package dev.zhyper.stack;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedKafkaTest {

    @TempDir
    Path tmp;

    static List<ConsumerRecord<String, String>> consume(String bootstrap, String topic, int n) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (got.size() < n && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(500)).forEach(got::add);
            }
        }
        return got;
    }

    static void produce(String bootstrap, String topic, String key, String value) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void startsCreatesTopicProducesAndConsumes() throws Exception {
        Path dir = tmp.resolve("kafka");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            assertTrue(kafka.bootstrapServers().startsWith("127.0.0.1:"));
            kafka.createTopics("zhyper.test", "zhyper.dlq.zhyper.test");
            kafka.createTopics("zhyper.test"); // idempotent
            try (var admin = kafka.admin()) {
                Set<String> names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
                assertTrue(names.containsAll(Set.of("zhyper.test", "zhyper.dlq.zhyper.test")), names.toString());
            }
            produce(kafka.bootstrapServers(), "zhyper.test", "k1", "{\"hello\":\"kafka\"}");
            List<ConsumerRecord<String, String>> got = consume(kafka.bootstrapServers(), "zhyper.test", 1);
            assertEquals(1, got.size());
            assertEquals("k1", got.get(0).key());
            assertEquals("{\"hello\":\"kafka\"}", got.get(0).value());
        }
        assertTrue(Files.exists(dir.resolve("data")), "log dir is kept by default");
    }

    @Test
    void deletesLogDirWhenAsked() {
        Path dir = tmp.resolve("kafka2");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            kafka.deleteLogDirOnClose(true);
        }
        assertFalse(Files.exists(dir));
    }
}
