package dev.zhyper.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM (a Quarkus {@code quarkus-run.jar}, or any main class) whose stdout and stderr go to a log file.
 * Build with {@link #jar(String, Path)} or {@link #mainClass(String, String, String)}, add {@code -D} properties,
 * {@link #start()}, then wait with {@link #awaitHttpReady(URI, Duration)} (e.g. {@code /q/health/ready}) or
 * {@link #awaitLogLine(Pattern, Duration)}. {@link #close()} sends SIGTERM and waits, then kills.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final List<String> launch; // after "java" and jvm options: ["-jar", jar] or ["-cp", cp, main]
    private final Map<String, String> systemProperties = new LinkedHashMap<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path logFile;
    private Path workDir;
    private Process process;

    private ServiceProcess(String name, List<String> launch) {
        this.name = name;
        this.launch = launch;
    }

    /** {@code java -jar <jar>}, e.g. {@code embedder-service/target/quarkus-app/quarkus-run.jar}. */
    public static ServiceProcess jar(String name, Path jar) {
        return new ServiceProcess(name, List.of("-jar", jar.toAbsolutePath().toString()));
    }

    /** {@code java -cp <classpath> <mainClass>}. */
    public static ServiceProcess mainClass(String name, String classpath, String mainClass) {
        return new ServiceProcess(name, List.of("-cp", classpath, mainClass));
    }

    public ServiceProcess property(String key, String value) {
        systemProperties.put(key, value);
        return this;
    }

    public ServiceProcess properties(Map<String, String> props) {
        systemProperties.putAll(props);
        return this;
    }

    public ServiceProcess jvmArg(String arg) {
        jvmArgs.add(arg);
        return this;
    }

    public ServiceProcess arg(String arg) {
        args.add(arg);
        return this;
    }

    public ServiceProcess env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** Where stdout+stderr go (appended); default {@code <tmp>/zhyper-<name>.log}. */
    public ServiceProcess logFile(Path file) {
        this.logFile = file;
        return this;
    }

    public ServiceProcess workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    /** The full command line that {@link #start()} runs. */
    public List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        systemProperties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(launch);
        cmd.addAll(args);
        return cmd;
    }

    public synchronized ServiceProcess start() {
        if (process != null) throw new IllegalStateException(name + " already started");
        try {
            if (logFile == null) logFile = Path.of(System.getProperty("java.io.tmpdir"), "zhyper-" + name + ".log");
            if (logFile.getParent() != null) Files.createDirectories(logFile.getParent());
            ProcessBuilder pb = new ProcessBuilder(command()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            if (workDir != null) pb.directory(workDir.toFile());
            pb.environment().putAll(env);
            process = pb.start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + name + " failed", e);
        }
    }

    /**
     * Polls {@code url} until it answers HTTP 200 (e.g. {@code http://127.0.0.1:8081/q/health/ready}).
     *
     * @throws IllegalStateException when the process exits or the timeout passes (message includes the log tail)
     */
    public ServiceProcess awaitHttpReady(URI url, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastStatus = "no answer";
        while (System.nanoTime() < deadline) {
            checkAlive();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return this;
                lastStatus = "HTTP " + r.statusCode() + " " + r.body();
            } catch (IOException e) {
                lastStatus = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(250);
        }
        throw new IllegalStateException(name + " not ready at " + url + " after " + timeout + " (" + lastStatus
                + ")\n" + logTail(40));
    }

    /** Waits until a line of the log matches; returns the matcher of the first matching line. */
    public Matcher awaitLogLine(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : readLog()) {
                Matcher m = pattern.matcher(line);
                if (m.find()) return m;
            }
            checkAlive();
            sleep(100);
        }
        throw new IllegalStateException(name + ": no log line matching " + pattern + " after " + timeout + "\n" + logTail(40));
    }

    private void checkAlive() {
        if (process == null) throw new IllegalStateException(name + " not started");
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + "\n" + logTail(60));
        }
    }

    private List<String> readLog() {
        try {
            return logFile != null && Files.exists(logFile)
                    ? Files.readAllLines(logFile, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return List.of(); // partially written UTF-8; try again
        }
    }

    /** The last {@code n} lines of the log file. */
    public String logTail(int n) {
        List<String> lines = readLog();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    public String name() {
        return name;
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return Objects.requireNonNull(process, "not started").pid();
    }

    /** SIGTERM, wait up to {@code grace}, then SIGKILL. Returns the exit code (or -1 if never started). */
    public int stop(Duration grace) {
        if (process == null) return -1;
        try {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            return process.isAlive() ? -1 : process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return -1;
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(20));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
