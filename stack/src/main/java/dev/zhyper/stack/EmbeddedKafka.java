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

    /** The SASL mechanism of the secure listener. */
    public static final String SASL_MECHANISM = "SCRAM-SHA-256";

    /**
     * A SASL_SSL listener: TLS with {@code tls}'s key store, SCRAM-SHA-256 with one user (name and password of
     * {@code [A-Za-z0-9._-]}).
     */
    public record SecureListener(SelfSignedTls tls, String username, String password) {
        public SecureListener {
            for (String s : List.of(username, password)) {
                if (!s.matches("[A-Za-z0-9._-]+")) throw new IllegalArgumentException("use [A-Za-z0-9._-]: " + s);
            }
        }
    }

    private final Path logDir;
    private final int brokerPort;
    private final int controllerPort;
    private final int securePort;
    private final SecureListener secure;
    private final KafkaRaftServer server;
    private volatile boolean deleteOnClose;
    private volatile boolean closed;

    private EmbeddedKafka(Path logDir, int brokerPort, int controllerPort, int securePort, SecureListener secure,
                          KafkaRaftServer server) {
        this.logDir = logDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.securePort = securePort;
        this.secure = secure;
        this.server = server;
    }

    /** Starts a broker on two free loopback ports with its data in {@code logDir} (created, formatted if empty). */
    public static EmbeddedKafka start(Path logDir) {
        return start(logDir, freePort(), freePort());
    }

    /** Starts a broker on the given ports (0 = pick a free one). */
    public static EmbeddedKafka start(Path logDir, int brokerPort, int controllerPort) {
        return start(logDir, brokerPort, controllerPort, null);
    }

    /**
     * Starts a broker on free ports that also has a SASL_SSL listener ({@link #secureBootstrapServers()}, clients
     * configured by {@link #clientProperties}); the PLAINTEXT one stays for the broker itself and {@link #admin()}.
     */
    public static EmbeddedKafka startSecure(Path logDir, SecureListener secure) {
        return start(logDir, 0, 0, secure);
    }

    private static EmbeddedKafka start(Path logDir, int brokerPort, int controllerPort, SecureListener secure) {
        int bp = brokerPort == 0 ? freePort() : brokerPort;
        int cp = controllerPort == 0 ? freePort() : controllerPort;
        while (cp == bp) {
            cp = freePort();
        }
        int sp = 0;
        while (secure != null && (sp == 0 || sp == bp || sp == cp)) {
            sp = freePort();
        }
        try {
            Files.createDirectories(logDir);
            Path data = logDir.resolve("data");
            Properties props = brokerProperties(data, bp, cp);
            if (secure != null) addSecureListener(props, bp, sp, secure);
            Path propsFile = logDir.resolve("server.properties");
            try (OutputStream os = Files.newOutputStream(propsFile)) {
                props.store(os, "zhyper embedded kafka");
            }
            if (!Files.exists(data.resolve("meta.properties"))) {
                format(propsFile, secure);
            }
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            EmbeddedKafka k = new EmbeddedKafka(logDir, bp, cp, sp, secure, server);
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

    private static void addSecureListener(Properties p, int brokerPort, int securePort, SecureListener secure) {
        String cp = p.getProperty("controller.quorum.voters").replaceFirst("^1@127.0.0.1:", "");
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",SASL_SSL://127.0.0.1:" + securePort
                + ",CONTROLLER://127.0.0.1:" + cp);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",SASL_SSL://127.0.0.1:" + securePort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
        p.put("sasl.enabled.mechanisms", SASL_MECHANISM);
        String l = "listener.name.sasl_ssl.";
        p.put(l + SASL_MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        p.put(l + "ssl.keystore.location", secure.tls().keyStore().toAbsolutePath().toString());
        p.put(l + "ssl.keystore.password", secure.tls().password());
        p.put(l + "ssl.key.password", secure.tls().password());
        p.put(l + "ssl.keystore.type", SelfSignedTls.STORE_TYPE);
    }

    private static void format(Path propsFile, SecureListener secure) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        List<String> args = new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(),
                "-c", propsFile.toString()));
        if (secure != null) {
            // SCRAM credentials live in the metadata log: written when it is formatted
            args.addAll(List.of("--add-scram", SASL_MECHANISM + "=[name=" + secure.username() + ",password="
                    + secure.password() + "]"));
        }
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            rc = kafka.tools.StorageTool.execute(args.toArray(String[]::new), out);
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

    /** {@code 127.0.0.1:<port>} of the SASL_SSL listener (see {@link #startSecure}). */
    public String secureBootstrapServers() {
        if (secure == null) throw new IllegalStateException("this broker has no SASL_SSL listener");
        return "127.0.0.1:" + securePort;
    }

    /**
     * Kafka client properties (no {@code kafka.} prefix) for the SASL_SSL listener as {@code username} with
     * {@code password} (a wrong one is refused): bootstrap, security protocol, SCRAM JAAS line, trust store.
     */
    public Map<String, String> clientProperties(String username, String password) {
        return Map.of(
                "bootstrap.servers", secureBootstrapServers(),
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", SASL_MECHANISM,
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + username + "\" password=\"" + password + "\";",
                "ssl.truststore.location", secure.tls().trustStore().toAbsolutePath().toString(),
                "ssl.truststore.password", secure.tls().password(),
                "ssl.truststore.type", SelfSignedTls.STORE_TYPE);
    }

    /** {@link #clientProperties(String, String)} of the configured user. */
    public Map<String, String> clientProperties() {
        if (secure == null) throw new IllegalStateException("this broker has no SASL_SSL listener");
        return clientProperties(secure.username(), secure.password());
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
