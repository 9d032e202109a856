package dev.zhyper.service.common;

import org.infinispan.commons.api.BasicCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Remote mode (Hot Rod) against a real Infinispan Server over TLS with credentials: what one client writes another
 * reads from the server; a wrong password is refused; no password, no start.
 */
class HotRodRemoteModeTest {

    @TempDir
    static Path tmp;
    static InfinispanTestServer server;

    @BeforeAll
    static void start() {
        server = InfinispanTestServer.start(tmp.resolve("ispn"));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void cachesLiveOnTheServerOverTls() {
        byte[] v = "0.25,0.5".getBytes(StandardCharsets.UTF_8);
        try (ZhyperCaches a = ZhyperCaches.fromConfig(server.clientConfig()::get);
             ZhyperCaches b = ZhyperCaches.fromConfig(server.clientConfig()::get)) {
            assertEquals(ZhyperCaches.Mode.REMOTE, a.mode());
            BasicCache<String, byte[]> ca = a.cache(ZhyperCaches.EMBEDDINGS);
            ca.put("minilm:hello", v);
            assertArrayEquals(v, b.cache(ZhyperCaches.EMBEDDINGS).get("minilm:hello"), "read back by another client");
            assertEquals(1, b.cache(ZhyperCaches.EMBEDDINGS).size());
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        try (ZhyperCaches c = ZhyperCaches.fromConfig(server.clientConfig("not-the-password")::get)) {
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> c.cache(ZhyperCaches.EMBEDDINGS).put("k", new byte[] {1}));
            assertTrue(String.valueOf(rootMessage(e)).toLowerCase().contains("auth"), rootMessage(e));
        }
    }

    @Test
    void remoteModeNeedsAPassword() {
        Map<String, String> cfg = new HashMap<>(server.clientConfig());
        cfg.remove("zhyper.cache.remote.password");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZhyperCaches.fromConfig(cfg::get));
        assertTrue(e.getMessage().contains("zhyper.cache.remote.password"), e.getMessage());
        cfg.put("zhyper.cache.remote.password", "x");
        cfg.put("zhyper.cache.remote.tls.enabled", "yes");
        assertThrows(IllegalArgumentException.class, () -> ZhyperCaches.fromConfig(cfg::get));
    }

    private static String rootMessage(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null && sb.length() < 2000; c = c.getCause()) sb.append(c).append(" | ");
        return sb.toString();
    }
}
