package dev.zhyper.service.common;

import dev.zhyper.stack.SelfSignedTls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * For tests: a real Infinispan Server (the server runtime of Maven Central, see module infinispan-test-server) in a
 * child JVM, on a free 127.0.0.1 port, with a generated {@code infinispan.xml}: a one-node cluster (the services
 * create distributed caches), one single-port endpoint (Hot Rod, REST) over TLS with a certificate made at start ({@link SelfSignedTls}), a properties realm with one user in the
 * {@code admin} group, authorization on. {@link #clientConfig()} gives the {@code zhyper.cache.*} keys a service
 * needs to use it ({@code zhyper.cache.mode=remote}, TLS, credentials).
 *
 * <p>The server's class path is read from {@code zhyper.test.infinispan-server.classpath} (a file) or
 * {@code ../infinispan-test-server/target/classpath.txt} (the reactor module, built before the tests that depend
 * on it). A child JVM, not in-process: the server's Infinispan libraries (15.2, the newest server on Maven
 * Central) differ from the client's 16.0.
 */
public final class InfinispanTestServer implements AutoCloseable {

    public static final String USER = "zhyper-cache";

    private final Process process;
    private final Path dir;
    private final int port;
    private final String password;
    private final SelfSignedTls tls;

    private InfinispanTestServer(Process process, Path dir, int port, String password, SelfSignedTls tls) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.password = password;
        this.tls = tls;
    }

    /** Starts the server with its files under {@code dir} and waits (up to 3 minutes) until it has started. */
    public static InfinispanTestServer start(Path dir) {
        try {
            Path conf = Files.createDirectories(dir.resolve("server/conf"));
            Files.createDirectories(dir.resolve("server/data"));
            Files.createDirectories(dir.resolve("server/log"));
            SelfSignedTls tls = SelfSignedTls.generate(dir.resolve("tls"));
            String password = "pw-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
            Files.writeString(conf.resolve("infinispan.xml"), configuration(tls), StandardCharsets.UTF_8);
            Files.writeString(conf.resolve("users.properties"), USER + "=" + password + "\n", StandardCharsets.UTF_8);
            Files.writeString(conf.resolve("groups.properties"), USER + "=admin\n", StandardCharsets.UTF_8);
            Files.writeString(conf.resolve("log4j2.xml"), """
                    <Configuration name="zhyper-test" status="warn">
                      <Appenders><Console name="STDOUT"><PatternLayout pattern="%d{HH:mm:ss,SSS} %-5p [%c] %m%throwable%n"/></Console></Appenders>
                      <Loggers><Root level="INFO"><AppenderRef ref="STDOUT"/></Root></Loggers>
                    </Configuration>
                    """, StandardCharsets.UTF_8);
            int port = freePort();
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m", "-XX:TieredStopAtLevel=1", "-cp", classpath(),
                    "-Dinfinispan.server.home.path=" + dir.toAbsolutePath(),
                    // a one-node cluster (the services create distributed caches, as on the compose/k8s servers):
                    // discovery only inside this JVM (LOCAL_PING), its own free port
                    "-Djgroups.bind.address=127.0.0.1", "-Djgroups.bind.port=" + freePort(),
                    "org.infinispan.server.Bootstrap", "-s", dir.resolve("server").toAbsolutePath().toString(),
                    "-c", "infinispan.xml", "-b", "127.0.0.1", "-p", Integer.toString(port)));
            Path log = dir.resolve("server.out");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            InfinispanTestServer s = new InfinispanTestServer(p, dir, port, password, tls);
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
            try {
                s.awaitStarted(log, Duration.ofMinutes(3));
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String configuration(SelfSignedTls tls) {
        return """
                <infinispan xmlns="urn:infinispan:config:15.2">
                   <jgroups>
                      <stack name="zhyper-test" extends="tcp">
                         <LOCAL_PING stack.combine="REPLACE" stack.position="MPING"/>
                         <FD_SOCK2 stack.combine="REMOVE"/>
                      </stack>
                   </jgroups>
                   <cache-container name="default" statistics="true">
                      <transport cluster="%s" stack="zhyper-test"/>
                      <security>
                         <authorization/>
                      </security>
                   </cache-container>
                   <server xmlns="urn:infinispan:server:15.2">
                      <interfaces>
                         <interface name="public">
                            <inet-address value="127.0.0.1"/>
                         </interface>
                      </interfaces>
                      <socket-bindings default-interface="public" port-offset="0">
                         <socket-binding name="default" port="${infinispan.bind.port:11222}"/>
                      </socket-bindings>
                      <security>
                         <security-realms>
                            <security-realm name="default">
                               <server-identities>
                                  <ssl>
                                     <keystore path="%s" password="%s" alias="server"/>
                                  </ssl>
                               </server-identities>
                               <properties-realm groups-attribute="Roles">
                                  <user-properties path="users.properties" plain-text="true"/>
                                  <group-properties path="groups.properties"/>
                               </properties-realm>
                            </security-realm>
                         </security-realms>
                      </security>
                      <endpoints socket-binding="default" security-realm="default"/>
                   </server>
                </infinispan>
                """.formatted("zhyper-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
                tls.keyStore().toAbsolutePath(), tls.password());
    }

    static String classpath() throws IOException {
        String p = System.getProperty("zhyper.test.infinispan-server.classpath");
        Path file = p != null ? Path.of(p) : Path.of("..", "infinispan-test-server", "target", "classpath.txt");
        if (!Files.exists(file)) {
            throw new IllegalStateException(file.toAbsolutePath() + " is missing: build module infinispan-test-server"
                    + " first (mvn -pl <module> -am ...), or set zhyper.test.infinispan-server.classpath");
        }
        return Files.readString(file).trim();
    }

    private void awaitStarted(Path log, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String out = read(log);
            if (out.contains("ISPN080001")) return;
            if (!process.isAlive()) {
                throw new IllegalStateException("Infinispan Server exited (" + process.exitValue() + "): " + tail(out));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("Infinispan Server not started within " + timeout + ": " + tail(read(log)));
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(String s) {
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }

    /** {@code 127.0.0.1:<port>}. */
    public String servers() {
        return "127.0.0.1:" + port;
    }

    public String password() {
        return password;
    }

    public SelfSignedTls tls() {
        return tls;
    }

    /**
     * The {@code zhyper.cache.*} keys for this server: remote mode, TLS trusting its certificate (checked against
     * {@code localhost}), user {@link #USER} with {@code password}.
     */
    public Map<String, String> clientConfig(String password) {
        return Map.of(
                "zhyper.cache.mode", "remote",
                "zhyper.cache.remote.servers", servers(),
                "zhyper.cache.remote.username", USER,
                "zhyper.cache.remote.password", password,
                "zhyper.cache.remote.tls.enabled", "true",
                "zhyper.cache.remote.tls.trust-store", tls.trustStore().toAbsolutePath().toString(),
                "zhyper.cache.remote.tls.trust-store-password", tls.password(),
                "zhyper.cache.remote.tls.trust-store-type", SelfSignedTls.STORE_TYPE,
                "zhyper.cache.remote.tls.sni-host-name", "localhost");
    }

    public Map<String, String> clientConfig() {
        return clientConfig(password);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** The directory holding the server's files (kept; tests pass a temp dir). */
    public Path dir() {
        return dir;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
