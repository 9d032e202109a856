package dev.zhyper.cli.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.cli.common.CliException;
import dev.zhyper.stack.KafkaMain;
import dev.zhyper.stack.ServiceProcess;
import dev.zhyper.stack.StackLauncher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The embedded local stack of {@code zhyper up} / {@code zhyper down} / {@code zhyper demo}: a Kafka broker
 * ({@link KafkaMain} in its own JVM) and the four Quarkus services ({@code quarkus-run.jar}), each a child process
 * with its log in {@code <home>/logs/<name>.log}, described by {@code <home>/stack.json} so that another
 * {@code zhyper} process can stop them.
 */
public final class LocalStack {

    /** The four services in start order, with their conventional ports. */
    public static final List<String> SERVICES = List.of("embedder", "hypernet", "generator", "trainer");
    public static final Map<String, Integer> DEFAULT_PORTS = Map.of("embedder", 8081, "hypernet", 8082,
            "generator", 8083, "trainer", 8084);
    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final String STATE_FILE = "stack.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What to start. */
    public static final class Config {
        public Path home;
        public Path modelDir;
        /** Checkpoint served from the start by hypernet and generator (optional). */
        public Path checkpointDir;
        public int kafkaPort = DEFAULT_KAFKA_PORT;
        public Map<String, Integer> ports = new LinkedHashMap<>(DEFAULT_PORTS);
        /**
         * The trainer's evaluation gate: a held-out JSONL file (zhyper.gate.file) and the descriptions of its tasks
         * (zhyper.gate.descriptions); null = no gate (checkpoints announced UNGATED, nothing served automatically).
         */
        public Path gateFile;
        public Path gateDescriptions;
        /** Extra -D properties per service name (e.g. trainer settings). */
        public Map<String, Map<String, String>> extra = new LinkedHashMap<>();
        /** PyTorch intra-op threads of each service JVM (0 = DJL's default). */
        public int torchThreads = 1;
        public Duration readyTimeout = Duration.ofMinutes(4);
    }

    private final Config cfg;
    private final PrintWriter out;
    private final StackLauncher launcher;

    private LocalStack(Config cfg, PrintWriter out) {
        this.cfg = cfg;
        this.out = out;
        this.launcher = new StackLauncher(cfg.home).logDir(cfg.home.resolve("logs")).workDir(cfg.home)
                .readyTimeout(cfg.readyTimeout).listener(new StackLauncher.Listener() {
                    @Override
                    public void started(ServiceProcess p) {
                        if (!p.name().equals("kafka")) {
                            out.printf("starting %s-service on 127.0.0.1:%d ...%n", p.name(), cfg.ports.get(p.name()));
                            out.flush();
                        }
                        writeState(); // so that `zhyper down` can stop a half-started stack
                    }

                    @Override
                    public void ready(String name, URI base) {
                        out.printf("  %s-service ready%n", name);
                        out.flush();
                        writeState();
                    }
                });
    }

    public String bootstrapServers() {
        return launcher.bootstrapServers();
    }

    public Map<String, URI> endpoints() {
        return launcher.endpoints();
    }

    public int port(String service) {
        return cfg.ports.get(service);
    }

    public Path logFile(String name) {
        return launcher.logFile(name);
    }

    // --------------------------------------------------------------------------------------------- repository

    /** The repository root: {@code -Dzhyper.root}, else the directory above {@code cli/target/zhyper-cli.jar}. */
    public static Path repoRoot() {
        String p = System.getProperty("zhyper.root");
        if (p != null && !p.isBlank()) return Path.of(p).toAbsolutePath().normalize();
        try {
            Path jar = Path.of(LocalStack.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // cli/target/zhyper-cli.jar or cli/target/classes
            Path root = jar.getParent().getParent().getParent();
            if (Files.exists(root.resolve("embedder-service"))) return root.toAbsolutePath().normalize();
        } catch (Exception ignored) {
            // fall through
        }
        Path cwd = Path.of("").toAbsolutePath();
        for (Path d = cwd; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("embedder-service")) && Files.exists(d.resolve("pom.xml"))) return d;
        }
        throw new CliException("cannot find the Zhyper repository (set -Dzhyper.root)");
    }

    public static Path runJar(Path root, String service) {
        return root.resolve(service + "-service/target/quarkus-app/quarkus-run.jar");
    }

    /**
     * Builds the four services' {@code quarkus-run.jar} with Maven when one is missing or older than a source file
     * of the service or of a module it depends on. Maven's output goes to {@code log} (stderr).
     */
    public static void ensureBuilt(Path root, PrintWriter log) {
        List<String> why = new ArrayList<>();
        for (String s : SERVICES) {
            Path jar = runJar(root, s);
            if (!Files.exists(jar)) {
                why.add(s + "-service (no quarkus-run.jar)");
                continue;
            }
            long built = jar.toFile().lastModified();
            Optional<Path> newer = newerThan(built, root.resolve("pom.xml"), root.resolve(s + "-service/pom.xml"),
                    root.resolve(s + "-service/src/main"), root.resolve("core/src/main"), root.resolve("core/pom.xml"),
                    root.resolve("proto/src/main"), root.resolve("proto/pom.xml"),
                    root.resolve("service-common/src/main"), root.resolve("service-common/pom.xml"));
            newer.ifPresent(f -> why.add(s + "-service (" + root.relativize(f) + " changed)"));
        }
        if (why.isEmpty()) return;
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-q", "-DskipTests"));
        String extra = System.getenv("ZHYPER_MVN_OPTS");
        if (extra != null && !extra.isBlank()) cmd.addAll(List.of(extra.trim().split("\\s+")));
        cmd.addAll(List.of("package", "-pl", String.join(",", SERVICES.stream().map(x -> x + "-service").toList()),
                "-am"));
        log.println("building the services: " + String.join(", ", why));
        log.println("  $ (cd " + root + " && " + String.join(" ", cmd) + ")");
        log.flush();
        try {
            Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).start();
            try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    line = line.replace("\u001b[0m", "");
                    if (!line.isBlank()) log.println("  " + line);
                    log.flush();
                }
            }
            int rc = p.waitFor();
            if (rc != 0) throw new CliException("building the services failed (mvn exit code " + rc + ")");
        } catch (IOException e) {
            throw new CliException("cannot run Maven (mvn): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while building the services");
        }
        for (String s : SERVICES) {
            Path jar = runJar(root, s);
            if (!Files.exists(jar)) throw new CliException("the build did not produce " + jar);
            jar.toFile().setLastModified(System.currentTimeMillis());
        }
    }

    private static Optional<Path> newerThan(long time, Path... roots) {
        for (Path r : roots) {
            if (!Files.exists(r)) continue;
            try (Stream<Path> s = Files.walk(r)) {
                Optional<Path> f = s.filter(Files::isRegularFile).filter(x -> x.toFile().lastModified() > time)
                        .findFirst();
                if (f.isPresent()) return f;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------------------------------------- start

    /**
     * Refuses when a stack recorded in {@code home} is still running or a port is taken; then starts the broker
     * and the four services, waits until all are ready and writes {@code <home>/stack.json}. On failure everything
     * started is stopped again.
     */
    public static LocalStack start(Path root, Config cfg, PrintWriter out) {
        refuseIfRunning(cfg.home);
        List<Integer> ports = new ArrayList<>();
        ports.add(cfg.kafkaPort);
        for (String s : SERVICES) ports.add(cfg.ports.get(s));
        for (int p : ports) {
            if (!portFree(p)) {
                throw new CliException("port " + p + " is taken (another zhyper stack or program?); "
                        + "stop it first (./zhyper down)");
            }
        }
        LocalStack stack = new LocalStack(cfg, out);
        try {
            stack.doStart(root);
            return stack;
        } catch (RuntimeException e) {
            stack.stop(Duration.ofSeconds(15));
            throw e;
        }
    }

    private void doStart(Path root) {
        try {
            Files.createDirectories(cfg.home.resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<StackLauncher.ServiceSpec> services = new ArrayList<>();
        for (String s : SERVICES) {
            Path jar = runJar(root, s);
            if (!Files.exists(jar)) throw new CliException("missing " + jar + " (build the services first)");
            Map<String, String> props = new LinkedHashMap<>();
            if (cfg.torchThreads > 0) {
                props.put("ai.djl.pytorch.num_threads", Integer.toString(cfg.torchThreads));
                props.put("ai.djl.pytorch.num_interop_threads", "1");
            }
            props.putAll(serviceProperties(s));
            props.putAll(cfg.extra.getOrDefault(s, Map.of()));
            services.add(new StackLauncher.ServiceSpec(s, jar, cfg.ports.get(s), props));
        }
        out.printf("starting kafka on 127.0.0.1:%d ...%n", cfg.kafkaPort);
        out.flush();
        launcher.startKafka(StackLauncher.currentClasspath(), cfg.kafkaPort);
        // all at once, then each awaited (they do not need each other to become ready); loopback only: no
        // credentials (docs/adr/0013), reflection on for grpcurl
        launcher.startServices(services);
    }

    private Map<String, String> serviceProperties(String service) {
        Map<String, String> p = new LinkedHashMap<>();
        String model = cfg.modelDir.toAbsolutePath().toString();
        switch (service) {
            case "hypernet" -> {
                p.put("zhyper.model.dir", model);
                p.put("zhyper.embedder.target", "127.0.0.1:" + cfg.ports.get("embedder"));
                if (cfg.checkpointDir != null) p.put("zhyper.checkpoint.dir", cfg.checkpointDir.toAbsolutePath().toString());
            }
            case "generator" -> {
                p.put("zhyper.model.dir", model);
                p.put("zhyper.hypernet.target", "127.0.0.1:" + cfg.ports.get("hypernet"));
                if (cfg.checkpointDir != null) p.put("zhyper.checkpoint.dir", cfg.checkpointDir.toAbsolutePath().toString());
            }
            case "trainer" -> {
                p.put("zhyper.model.dir", model);
                p.put("zhyper.checkpoints.root", cfg.home.resolve("checkpoints").toAbsolutePath().toString());
                // streaming rounds refine what is served, and are gated against it
                if (cfg.checkpointDir != null) {
                    p.put("zhyper.trainer.initial-checkpoint", cfg.checkpointDir.toAbsolutePath().toString());
                }
                if (cfg.gateFile != null) p.put("zhyper.gate.file", cfg.gateFile.toAbsolutePath().toString());
                if (cfg.gateDescriptions != null) {
                    p.put("zhyper.gate.descriptions", cfg.gateDescriptions.toAbsolutePath().toString());
                }
            }
            default -> { }
        }
        return p;
    }

    /** The generator's playground page (base vs adapted answers, z chart), or null when no generator runs. */
    public String playground() {
        URI g = launcher.endpoints().get("generator");
        return g == null ? null : g + "/playground/";
    }

    /**
     * Sets the trainer's gate to the suite's validation split ({@code validation.jsonl}, described by the held-out
     * descriptions) when {@code suiteDir} has it; returns whether it did.
     */
    public static boolean suiteGate(Config cfg, Path suiteDir) {
        Path v = suiteDir.resolve("validation.jsonl");
        Path d = suiteDir.resolve("descriptions.heldout.json");
        if (!Files.isRegularFile(v) || !Files.isRegularFile(d)) return false;
        cfg.gateFile = v;
        cfg.gateDescriptions = d;
        return true;
    }

    /** The endpoints, one line each. */
    public void printEndpoints(PrintWriter w) {
        Map<String, URI> endpoints = launcher.endpoints();
        w.printf("kafka      %s%n", launcher.bootstrapServers());
        for (String s : SERVICES) {
            URI u = endpoints.get(s);
            if (u == null) continue;
            w.printf("%-10s %s  (gRPC plaintext 127.0.0.1:%d, health %s/q/health, log %s)%n", s, u, u.getPort(), u,
                    logFile(s));
        }
        String pg = playground();
        if (pg != null) w.printf("playground %s  (OpenAI-compatible API %s/v1)%n", pg, endpoints.get("generator"));
        w.flush();
    }

    // -------------------------------------------------------------------------------------------------- state

    private synchronized void writeState() {
        ObjectNode root = JSON.createObjectNode();
        root.put("startedAt", Instant.now().toString());
        root.put("home", cfg.home.toAbsolutePath().toString());
        String bootstrap = launcher.bootstrapServers();
        if (bootstrap != null) root.put("bootstrap", bootstrap);
        root.put("model", cfg.modelDir.toAbsolutePath().toString());
        Map<String, URI> endpoints = launcher.endpoints();
        ArrayNode procs = root.putArray("processes");
        for (ServiceProcess p : launcher.processes()) {
            ObjectNode n = procs.addObject();
            n.put("name", p.name());
            n.put("pid", p.pid());
            n.put("port", p.name().equals("kafka") ? cfg.kafkaPort : cfg.ports.get(p.name()));
            n.put("log", p.logFile().toAbsolutePath().toString());
            if (endpoints.containsKey(p.name())) n.put("url", endpoints.get(p.name()).toString());
        }
        try {
            Path tmp = cfg.home.resolve(STATE_FILE + ".tmp");
            JSON.writeValue(tmp.toFile(), root);
            Files.move(tmp, cfg.home.resolve(STATE_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + cfg.home.resolve(STATE_FILE), e);
        }
    }

    /** Stops what this object started (services first, broker last) and removes the state file. */
    public void stop(Duration grace) {
        launcher.stop(grace);
        try {
            Files.deleteIfExists(cfg.home.resolve(STATE_FILE));
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void refuseIfRunning(Path home) {
        Path state = home.resolve(STATE_FILE);
        if (!Files.exists(state)) return;
        List<String> alive = alive(readState(state));
        if (!alive.isEmpty()) {
            throw new CliException("a stack is already up in " + home + " (" + String.join(", ", alive)
                    + "); stop it with ./zhyper down" + (home.endsWith(".zhyper/stack") ? "" : " --home " + home));
        }
        try {
            Files.delete(state); // stale: nothing of it runs any more
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode readState(Path state) {
        try {
            return JSON.readTree(state.toFile());
        } catch (IOException e) {
            throw new CliException("cannot read " + state + ": " + e.getMessage());
        }
    }

    private static List<String> alive(JsonNode state) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : state.path("processes")) {
            long pid = p.path("pid").asLong();
            if (javaProcess(pid).isPresent()) out.add(p.path("name").asText() + " pid " + pid);
        }
        return out;
    }

    /** The process {@code pid} if it is alive and a java process (guards against a reused pid). */
    private static Optional<ProcessHandle> javaProcess(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(true));
    }

    /**
     * Stops the stack recorded in {@code <home>/stack.json}: SIGTERM to every process (services first, broker last),
     * then SIGKILL after {@code grace}. Returns false when there was no state file.
     */
    public static boolean down(Path home, Duration grace, PrintWriter out) {
        Path state = home.resolve(STATE_FILE);
        if (!Files.exists(state)) return false;
        JsonNode s = readState(state);
        List<JsonNode> procs = new ArrayList<>();
        s.path("processes").forEach(procs::add);
        for (int i = procs.size() - 1; i >= 0; i--) {
            JsonNode p = procs.get(i);
            String name = p.path("name").asText();
            long pid = p.path("pid").asLong();
            Optional<ProcessHandle> h = javaProcess(pid);
            if (h.isEmpty()) {
                out.printf("%-10s pid %d not running%n", name, pid);
                continue;
            }
            h.get().destroy();
            boolean gone;
            try {
                h.get().onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
                gone = true;
            } catch (Exception e) {
                gone = false;
            }
            if (!gone) {
                h.get().destroyForcibly();
                try {
                    h.get().onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // reported below
                }
                out.printf("%-10s pid %d killed (did not stop within %ds)%n", name, pid, grace.toSeconds());
            } else {
                out.printf("%-10s pid %d stopped%n", name, pid);
            }
            out.flush();
        }
        try {
            Files.deleteIfExists(state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------- helpers

    static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The last lines of every log, for failure reports. */
    public String logTails(int lines) {
        StringBuilder b = new StringBuilder();
        for (ServiceProcess p : launcher.processes()) {
            b.append("---- ").append(p.logFile()).append(" (last ").append(lines).append(" lines)\n")
                    .append(p.logTail(lines)).append('\n');
        }
        return b.toString();
    }
}
