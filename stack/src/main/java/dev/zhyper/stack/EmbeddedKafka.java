package dev.zhyper.stack;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Apache Kafka (KRaft; one process acting as broker and controller) running inside this JVM,
 * listening on two free 127.0.0.1 ports. Start with {@link #start(Path)}; ready (metadata answered through
 * {@link Admin#describeCluster()}) when it returns. Topics are auto-created on first use with 1 partition; use
 * {@link #createTopics(String...)} to create them eagerly.
 *
 * <p>{@link #close()} stops the broker and keeps the log directory unless {@link #deleteLogDirOnClose(boolean)}
 * was set (a restarted broker on the same directory keeps its data only if the ports are given again; see
 * {@link #start(Path, int, int)}).
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final Path logDir;
    private final int brokerPort;
    private final int controllerPort;
    private final KafkaRaftServer server;
    private volatile boolean deleteOnClose;
    private volatile boolean closed;

    private EmbeddedKafka(Path logDir, int brokerPort, int controllerPort, KafkaRaftServer server) {
        this.logDir = logDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.server = server;
    }

    /** Starts a broker on two free loopback ports with its data in {@code logDir} (created, formatted if empty). */
    public static EmbeddedKafka start(Path logDir) {
        return start(logDir, freePort(), freePort());
    }

    /** Starts a broker on the given ports (0 = pick a free one). */
    public static EmbeddedKafka start(Path logDir, int brokerPort, int controllerPort) {
        int bp = brokerPort == 0 ? freePort() : brokerPort;
        int cp = controllerPort == 0 ? freePort() : controllerPort;
        while (cp == bp) {
            cp = freePort();
        }
        try {
            Files.createDirectories(logDir);
            Path data = logDir.resolve("data");
            Properties props = brokerProperties(data, bp, cp);
            Path propsFile = logDir.resolve("server.properties");
            try (OutputStream os = Files.newOutputStream(propsFile)) {
                props.store(os, "zhyper embedded kafka");
            }
            if (!Files.exists(data.resolve("meta.properties"))) {
                format(propsFile);
            }
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            EmbeddedKafka k = new EmbeddedKafka(logDir, bp, cp, server);
            try {
                k.awaitReady(Duration.ofSeconds(60));
            } catch (RuntimeException e) {
                k.close();
                throw e;
            }
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Properties brokerProperties(Path data, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", data.toAbsolutePath().toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("min.insync.replicas", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        p.put("log.flush.interval.messages", "10000");
        return p;
    }

    private static void format(Path propsFile) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            rc = kafka.tools.StorageTool.execute(new String[] {
                    "format", "-t", Uuid.randomUuid().toString(), "-c", propsFile.toString()}, out);
        } catch (Exception e) {
            throw new IllegalStateException("formatting the Kafka log directory failed: " + buf.toString(StandardCharsets.UTF_8), e);
        }
        if (rc != 0) {
            throw new IllegalStateException("formatting the Kafka log directory failed (" + rc + "): "
                    + buf.toString(StandardCharsets.UTF_8));
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                admin.describeCluster().controller().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = new IllegalStateException("Kafka not ready at " + bootstrapServers(), e);
                sleep(200);
            }
        }
        throw last != null ? last : new IllegalStateException("Kafka not ready at " + bootstrapServers());
    }

    /** {@code 127.0.0.1:<port>} of the PLAINTEXT listener. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Path logDir() {
        return logDir;
    }

    /** A new Admin client for this broker (caller closes it). */
    public Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000));
    }

    /** Creates topics (1 partition, replication 1) unless they exist; waits until they are created. */
    public EmbeddedKafka createTopics(String... topics) {
        return createTopics(1, topics);
    }

    /** Creates topics with {@code partitions} partitions unless they exist; waits until they are created. */
    public EmbeddedKafka createTopics(int partitions, String... topics) {
        List<NewTopic> nt = new ArrayList<>();
        for (String t : topics) {
            nt.add(new NewTopic(t, partitions, (short) 1));
        }
        try (Admin admin = admin()) {
            for (var e : admin.createTopics(nt).values().entrySet()) {
                try {
                    e.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("creating topic " + e.getKey() + " failed", ex.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("creating topics timed out", e);
        }
        return this;
    }

    /** Whether {@link #close()} also deletes the log directory (default false). */
    public EmbeddedKafka deleteLogDirOnClose(boolean delete) {
        this.deleteOnClose = delete;
        return this;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (deleteOnClose) {
                deleteRecursively(logDir);
            }
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
