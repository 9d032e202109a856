package dev.zhyper.stack;

import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts the local stack as child processes: a Kafka broker ({@link KafkaMain} in its own JVM) and any number of
 * Quarkus services ({@code quarkus-run.jar}), each with its log in {@code runDir}, and stops them in reverse order.
 *
 * <pre>{@code
 * try (StackLauncher stack = new StackLauncher(Path.of("target/stack"))) {
 *     String bootstrap = stack.startKafka(StackLauncher.currentClasspath());
 *     stack.startService("embedder", Path.of("embedder-service/target/quarkus-app/quarkus-run.jar"), 8081,
 *             Map.of());           // -Dkafka.bootstrap.servers and -Dquarkus.http.port are added
 *     ...
 * }
 * }</pre>
 */
public final class StackLauncher implements AutoCloseable {

    private static final Pattern READY = Pattern.compile(Pattern.quote(KafkaMain.READY_PREFIX) + "(\\S+)");

    private final Path runDir;
    private final List<ServiceProcess> started = new ArrayList<>();
    private final Map<String, URI> endpoints = new LinkedHashMap<>();
    private String bootstrap;
    private Duration readyTimeout = Duration.ofSeconds(120);

    public StackLauncher(Path runDir) {
        this.runDir = runDir.toAbsolutePath();
    }

    public StackLauncher readyTimeout(Duration timeout) {
        this.readyTimeout = timeout;
        return this;
    }

    /** The classpath of this JVM (holds kafka_2.13 when the caller depends on zhyper-stack). */
    public static String currentClasspath() {
        return System.getProperty("java.class.path");
    }

    /**
     * Starts {@link KafkaMain} with {@code classpath} (must contain zhyper-stack and kafka_2.13 with their
     * dependencies), data in {@code runDir/kafka}, all Zhyper topics and DLQs created; returns the bootstrap servers.
     */
    public synchronized String startKafka(String classpath) {
        if (bootstrap != null) throw new IllegalStateException("Kafka already started: " + bootstrap);
        ServiceProcess p = ServiceProcess.mainClass("kafka", classpath, KafkaMain.class.getName())
                .jvmArg("-Xmx512m")
                .arg("--log-dir").arg(runDir.resolve("kafka").toString())
                .arg("--zhyper-topics")
                .logFile(runDir.resolve("kafka.log"))
                .start();
        started.add(p);
        Matcher m = p.awaitLogLine(READY, readyTimeout);
        bootstrap = m.group(1);
        return bootstrap;
    }

    /** Uses an already running broker instead of starting one. */
    public synchronized StackLauncher useKafka(String bootstrapServers) {
        this.bootstrap = bootstrapServers;
        return this;
    }

    public synchronized String bootstrapServers() {
        return bootstrap;
    }

    /**
     * Starts a Quarkus service jar on {@code httpPort} with {@code -Dkafka.bootstrap.servers} (when a broker is known),
     * {@code -Dquarkus.http.port}, {@code -Dzhyper.auth.enabled=false} (loopback only) and the extra properties, logs to {@code runDir/<name>.log}; waits until
     * {@code /q/health/ready} answers 200. Returns its base URI ({@code http://127.0.0.1:<port>}).
     */
    public synchronized URI startService(String name, Path quarkusRunJar, int httpPort, Map<String, String> properties) {
        ServiceProcess p = ServiceProcess.jar(name, quarkusRunJar)
                .jvmArg("-Xmx1g")
                .property("quarkus.http.port", Integer.toString(httpPort))
                .property("quarkus.http.host", "127.0.0.1")
                // the loopback stack: no credentials, reflection on (callers' properties may override both)
                .property("zhyper.auth.enabled", "false")
                .property("quarkus.grpc.server.enable-reflection-service", "true")
                .logFile(runDir.resolve(name + ".log"));
        if (bootstrap != null) p.property("kafka.bootstrap.servers", bootstrap);
        p.properties(properties);
        p.start();
        started.add(p);
        URI base = URI.create("http://127.0.0.1:" + httpPort);
        p.awaitHttpReady(base.resolve("/q/health/ready"), readyTimeout);
        endpoints.put(name, base);
        return base;
    }

    /** Started services by name → base URI. */
    public synchronized Map<String, URI> endpoints() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(endpoints));
    }

    public synchronized List<ServiceProcess> processes() {
        return List.copyOf(started);
    }

    /** Joins class path entries with the platform separator. */
    public static String classpath(List<Path> entries) {
        return String.join(File.pathSeparator, entries.stream().map(Path::toString).toList());
    }

    /** Stops everything in reverse start order (services first, broker last). */
    @Override
    public synchronized void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).stop(Duration.ofSeconds(20));
        }
        started.clear();
        endpoints.clear();
    }
}
