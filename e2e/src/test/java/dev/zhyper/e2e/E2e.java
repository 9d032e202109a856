package dev.zhyper.e2e;

import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.service.common.KafkaTestClient;
import dev.zhyper.service.common.ProtoJson;
import dev.zhyper.stack.ServiceProcess;
import dev.zhyper.stack.StackLauncher;
import io.grpc.StatusRuntimeException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the end-to-end tests share: the packaged services, free ports, Kafka helpers, polling, logs. */
final class E2e {

    private E2e() {}

    /** The repository root (where the services' target/quarkus-app/quarkus-run.jar are). */
    static Path root() {
        return Path.of(System.getProperty("zhyper.root", "..")).toAbsolutePath().normalize();
    }

    /** A service's packaged {@code quarkus-run.jar} (asserts it exists). */
    static Path jar(Path root, String service) {
        Path jar = root.resolve(service + "-service/target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is missing: package the services first "
                + "(mvn -B verify -pl e2e -am does)");
        return jar;
    }

    static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new HashMap<>(a);
        m.putAll(b);
        return m;
    }

    static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }

    /** Polls {@code probe} until it returns non-null; gRPC errors (e.g. FAILED_PRECONDITION) count as not yet. */
    static <T> T await(String what, Duration timeout, Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                T v = probe.get();
                if (v != null) return v;
                last = "not yet";
            } catch (StatusRuntimeException e) {
                last = e.getStatus().toString();
            }
            Thread.sleep(500);
        }
        throw new AssertionError("timed out waiting until " + what + " (last: " + last + ")");
    }

    /** Sends records with one producer, waiting for each acknowledgement. */
    static void send(String bootstrap, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap, ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) p.send(r).get(30, TimeUnit.SECONDS);
        }
    }

    static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
    }

    /**
     * The CheckpointEvents on zhyper.checkpoints, in topic order: read from the beginning until {@code until} holds
     * for them or {@code wait} has passed (whatever was read by then).
     */
    static List<CheckpointEvent> checkpointEvents(String bootstrap, Duration wait, Predicate<List<CheckpointEvent>> until) {
        return decode(KafkaTestClient.readUntil(bootstrap, Topics.CHECKPOINTS, wait, l -> until.test(decode(l))));
    }

    private static List<CheckpointEvent> decode(List<ConsumerRecord<byte[], byte[]>> records) {
        List<CheckpointEvent> evs = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) evs.add(ProtoJson.decode(r.value(), CheckpointEvent::newBuilder));
        return evs;
    }

    /** The committed offsets of consumer group {@code group} on {@code topic}, summed over partitions. */
    static long committed(String bootstrap, String group, String topic) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            return m.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> httpGet(URI uri) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Prints the tail of every service's log (on a failure). */
    static void dumpLogs(String test, StackLauncher stack) {
        System.err.println("==== " + test + " failed; service logs:");
        for (ServiceProcess p : stack.processes()) {
            System.err.println("---- " + p.name() + " (" + p.logFile() + "), last 80 lines:");
            System.err.println(p.logTail(80));
        }
    }

    static void log(String tag, long t0, String fmt, Object... args) {
        System.err.printf("[%s %5.1f s] %s%n", tag, (System.nanoTime() - t0) / 1e9, String.format(fmt, args));
    }

    static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
