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
 * Quarkus services ({@code quarkus-run.jar}), each with its log in {@code runDir} (or {@link #logDir}), and stops them
 * in reverse order. A {@link Listener} hears of every process started and every service ready (e.g. to print progress
 * or to record the processes for another process to stop).
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
    private volatile Path logDir;
    private Path workDir;
    private Listener listener = new Listener() { };
    private String bootstrap;
    private Duration readyTimeout = Duration.ofSeconds(120);

    /** What a launcher tells as it goes; called on the starting thread, in start order. */
    public interface Listener {
        /** {@code process} was started (it is not ready yet). */
        default void started(ServiceProcess process) { }

        /** The service {@code name} answered 200 on {@code /q/health/ready}. */
        default void ready(String name, URI base) { }
    }

    public StackLauncher(Path runDir) {
        this.runDir = runDir.toAbsolutePath();
        this.logDir = this.runDir;
    }

    public StackLauncher readyTimeout(Duration timeout) {
        this.readyTimeout = timeout;
        return this;
    }

    /** Where the logs go, {@code <name>.log} (default: {@code runDir}). */
    public synchronized StackLauncher logDir(Path dir) {
        this.logDir = dir.toAbsolutePath();
        return this;
    }

    /** The services' working directory (default: this process's). */
    public synchronized StackLauncher workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    public synchronized StackLauncher listener(Listener listener) {
        this.listener = listener;
        return this;
    }

    /** The log file of the process {@code name}. */
    public Path logFile(String name) {
        return logDir.resolve(name + ".log");
    }

    /** The classpath of this JVM (holds kafka_2.13 when the caller depends on zhyper-stack). */
    public static String currentClasspath() {
        return System.getProperty("java.class.path");
    }

    /**
     * Starts {@link KafkaMain} with {@code classpath} (must contain zhyper-stack and kafka_2.13 with their
     * dependencies), data in {@code runDir/kafka}, all Zhyper topics and DLQs created; returns the bootstrap servers.
     */
    public String startKafka(String classpath) {
        return startKafka(classpath, 0);
    }

    /** As {@link #startKafka(String)}, listening on {@code port} (0 = a free one). */
    public synchronized String startKafka(String classpath, int port) {
        if (bootstrap != null) throw new IllegalStateException("Kafka already started: " + bootstrap);
        ServiceProcess p = ServiceProcess.mainClass("kafka", classpath, KafkaMain.class.getName())
                .jvmArg("-Xmx512m")
                .arg("--log-dir").arg(runDir.resolve("kafka").toString());
        if (port > 0) p.arg("--port").arg(Integer.toString(port));
        p.arg("--zhyper-topics").logFile(logFile("kafka")).start();
        started.add(p);
        listener.started(p);
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

    /** One service to start: its name (also the log's), its {@code quarkus-run.jar}, HTTP port and extra properties. */
    public record ServiceSpec(String name, Path quarkusRunJar, int httpPort, Map<String, String> properties) {
        public ServiceSpec {
            properties = Map.copyOf(properties);
        }
    }

    /**
     * Starts a Quarkus service jar on {@code httpPort} with {@code -Dkafka.bootstrap.servers} (when a broker is known),
     * {@code -Dquarkus.http.port}, {@code -Dzhyper.auth.enabled=false} (loopback only) and the extra properties, logs to
     * {@code runDir/<name>.log}; waits until
     * {@code /q/health/ready} answers 200. Returns its base URI ({@code http://127.0.0.1:<port>}).
     */
    public synchronized URI startService(String name, Path quarkusRunJar, int httpPort, Map<String, String> properties) {
        return startServices(List.of(new ServiceSpec(name, quarkusRunJar, httpPort, properties))).get(name);
    }

    /**
     * Starts all {@code services} at once (they do not need each other to become ready), then waits until each
     * answers 200 on {@code /q/health/ready}, as {@link #startService} does for one. Returns name → base URI.
     */
    public synchronized Map<String, URI> startServices(List<ServiceSpec> services) {
        Map<String, ServiceProcess> procs = new LinkedHashMap<>();
        for (ServiceSpec s : services) {
            ServiceProcess p = ServiceProcess.jar(s.name(), s.quarkusRunJar())
                    .jvmArg("-Xmx1g")
                    .property("quarkus.http.port", Integer.toString(s.httpPort()))
                    .property("quarkus.http.host", "127.0.0.1")
                    // the loopback stack: no credentials, reflection on (callers' properties may override both)
                    .property("zhyper.auth.enabled", "false")
                    .property("quarkus.grpc.server.enable-reflection-service", "true")
                    .logFile(logFile(s.name()));
            if (workDir != null) p.workDir(workDir);
            if (bootstrap != null) p.property("kafka.bootstrap.servers", bootstrap);
            p.properties(s.properties());
            p.start();
            started.add(p);
            procs.put(s.name(), p);
            listener.started(p);
        }
        Map<String, URI> out = new LinkedHashMap<>();
        for (ServiceSpec s : services) {
            URI base = URI.create("http://127.0.0.1:" + s.httpPort());
            procs.get(s.name()).awaitHttpReady(base.resolve("/q/health/ready"), readyTimeout);
            endpoints.put(s.name(), base);
            out.put(s.name(), base);
            listener.ready(s.name(), base);
        }
        return out;
    }

    /**
     * Stops one started service (SIGTERM, then SIGKILL after {@code grace}) and forgets it, e.g. to restart it with
     * other properties. Returns its exit code (-1 when it was not running).
     */
    public synchronized int stopService(String name, Duration grace) {
        for (int i = started.size() - 1; i >= 0; i--) {
            ServiceProcess p = started.get(i);
            if (p.name().equals(name)) {
                started.remove(i);
                endpoints.remove(name);
                return p.stop(grace);
            }
        }
        throw new IllegalArgumentException("no started service " + name);
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

    /** Stops everything in reverse start order (services first, broker last): SIGTERM, SIGKILL after {@code grace}. */
    public synchronized void stop(Duration grace) {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).stop(grace);
        }
        started.clear();
        endpoints.clear();
    }

    /** {@link #stop} with 20 s of grace. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(20));
    }
}
