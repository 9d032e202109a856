package dev.zhyper.service.common;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Quarkus test resource: a real Infinispan Server ({@link InfinispanTestServer}: child JVM, TLS, one user) and the
 * application in remote cache mode against it ({@code zhyper.cache.mode=remote}, {@code zhyper.cache.remote.*}).
 * Use it from a {@code QuarkusTestProfile}'s {@code testResources()}; the test module must depend on
 * {@code zhyper-infinispan-test-server} (type pom, test scope, all exclusions) so that its class path file is built.
 */
public class InfinispanServerResource implements QuarkusTestResourceLifecycleManager {

    private InfinispanTestServer server;
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("zhyper-infinispan-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = InfinispanTestServer.start(dir);
        return new HashMap<>(server.clientConfig());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp dir
            }
        }
    }
}
