package dev.zhyper.service.common;

import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.infinispan.commons.api.BasicCache;
import org.infinispan.commons.configuration.StringConfiguration;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Zhyper's Infinispan caches, embedded (library mode, the default) or remote (Hot Rod to an Infinispan cluster),
 * behind Infinispan's common {@link BasicCache} API. Values are {@code byte[]} (keys {@code String}) so that both
 * modes work without marshalling configuration.
 *
 * <p>Configuration keys (read through {@link #fromConfig(Function)}; names are the Quarkus/MicroProfile keys):
 * <ul>
 *   <li>{@code zhyper.cache.mode} — {@code embedded} (default) or {@code remote}</li>
 *   <li>{@code zhyper.cache.max-entries} — per-cache bound in embedded mode (default 100000; -1 = unbounded)</li>
 *   <li>{@code zhyper.cache.remote.servers} — Hot Rod servers {@code host:port;host:port} (remote mode)</li>
 *   <li>{@code zhyper.cache.remote.username} / {@code zhyper.cache.remote.password} — credentials, required in
 *       remote mode (no default is shipped: remote mode refuses to start without them)</li>
 *   <li>{@code zhyper.cache.remote.tls.enabled} — Hot Rod over TLS (default false), then
 *       {@code zhyper.cache.remote.tls.trust-store} (file trusted for the server certificate; without it the JVM's
 *       default trust), {@code ...tls.trust-store-password}, {@code ...tls.trust-store-type} (default PKCS12;
 *       PEM, JKS) and {@code ...tls.sni-host-name} (the name the server certificate is checked against; default
 *       the host of the first server)</li>
 * </ul>
 * Cache names in use: {@link #EMBEDDINGS}, {@link #MODULATIONS}, {@link #CONTEXTS}. A cache is never the only copy
 * of the truth: a miss recomputes.
 */
public final class ZhyperCaches implements AutoCloseable {

    /** Embeddings by {@code CachingEmbedder.cacheKey(embedderId, text)}, value = little-endian float32. */
    public static final String EMBEDDINGS = "zhyper-embeddings";
    /** Modulations z by {@code checkpointId + ":" + contextHash}, value = serialized ModulateResponse. */
    public static final String MODULATIONS = "zhyper-modulations";
    /** Context registry by context id, value = UTF-8 description. */
    public static final String CONTEXTS = "zhyper-contexts";

    public enum Mode { EMBEDDED, REMOTE }

    private final Mode mode;
    private final DefaultCacheManager embedded;
    private final RemoteCacheManager remote;
    private final long maxEntries;
    private final Map<String, BasicCache<String, byte[]>> caches = new ConcurrentHashMap<>();

    private ZhyperCaches(Mode mode, DefaultCacheManager embedded, RemoteCacheManager remote, long maxEntries) {
        this.mode = mode;
        this.embedded = embedded;
        this.remote = remote;
        this.maxEntries = maxEntries;
    }

    /** A local, non-clustered cache manager in this JVM; each cache bounded to {@code maxEntries} (-1 = unbounded). */
    public static ZhyperCaches embedded(long maxEntries) {
        GlobalConfigurationBuilder global = new GlobalConfigurationBuilder().nonClusteredDefault();
        global.cacheContainer().name("zhyper-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        global.jmx().disable();
        return new ZhyperCaches(Mode.EMBEDDED, new DefaultCacheManager(global.build(), true), null, maxEntries);
    }

    /**
     * Hot Rod settings of remote mode.
     *
     * @param trustStore null: the JVM's default trust (a server certificate from a public CA)
     * @param sniHostName null: the host of the first server; the server certificate must name it
     */
    public record Remote(String servers, String username, String password, boolean tls, String trustStore,
                         String trustStorePassword, String trustStoreType, String sniHostName) {
        public Remote {
            if (servers == null || servers.isBlank()) {
                throw new IllegalArgumentException("zhyper.cache.mode=remote needs zhyper.cache.remote.servers");
            }
            if (username == null || username.isBlank() || password == null || password.isEmpty()) {
                throw new IllegalArgumentException("zhyper.cache.mode=remote needs zhyper.cache.remote.username and"
                        + " zhyper.cache.remote.password (ZHYPER_CACHE_REMOTE_USERNAME / _PASSWORD): no default"
                        + " password is shipped");
            }
        }

        /** The host of the first server (the default SNI host name). */
        String firstHost() {
            String first = servers.split(";")[0].trim();
            int colon = first.lastIndexOf(':');
            return colon > 0 && !first.endsWith("]") ? first.substring(0, colon) : first;
        }

        @Override
        public String toString() { // no password
            return "Remote[servers=" + servers + ", username=" + username + ", tls=" + tls + ", trustStore="
                    + trustStore + ", sniHostName=" + sniHostName + "]";
        }
    }

    /** A Hot Rod client to {@code settings.servers()} ({@code host:port;host:port}), authenticated, TLS if set. */
    public static ZhyperCaches remote(Remote settings) {
        var b = new org.infinispan.client.hotrod.configuration.ConfigurationBuilder().addServers(settings.servers());
        b.security().authentication().enable().username(settings.username())
                .password(settings.password().toCharArray());
        if (settings.tls()) {
            var ssl = b.security().ssl().enable()
                    .sniHostName(settings.sniHostName() == null || settings.sniHostName().isBlank()
                            ? settings.firstHost() : settings.sniHostName());
            if (settings.trustStore() != null && !settings.trustStore().isBlank()) {
                ssl.trustStoreFileName(settings.trustStore())
                        .trustStoreType(settings.trustStoreType() == null || settings.trustStoreType().isBlank()
                                ? "PKCS12" : settings.trustStoreType());
                if (settings.trustStorePassword() != null) {
                    ssl.trustStorePassword(settings.trustStorePassword().toCharArray());
                }
            } else {
                try {
                    ssl.sslContext(javax.net.ssl.SSLContext.getDefault());
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException("no default TLS context", e);
                }
            }
        }
        return new ZhyperCaches(Mode.REMOTE, null, new RemoteCacheManager(b.build()), -1);
    }

    /** Builds from configuration keys (see class comment); {@code config} returns null for absent keys. */
    public static ZhyperCaches fromConfig(Function<String, String> config) {
        String mode = Objects.requireNonNullElse(config.apply("zhyper.cache.mode"), "embedded").trim()
                .toLowerCase(Locale.ROOT);
        switch (mode) {
            case "embedded" -> {
                String max = config.apply("zhyper.cache.max-entries");
                return embedded(max == null || max.isBlank() ? 100_000 : Long.parseLong(max.trim()));
            }
            case "remote" -> {
                String tls = config.apply("zhyper.cache.remote.tls.enabled");
                return remote(new Remote(config.apply("zhyper.cache.remote.servers"),
                        config.apply("zhyper.cache.remote.username"), config.apply("zhyper.cache.remote.password"),
                        flag("zhyper.cache.remote.tls.enabled", tls),
                        config.apply("zhyper.cache.remote.tls.trust-store"),
                        config.apply("zhyper.cache.remote.tls.trust-store-password"),
                        config.apply("zhyper.cache.remote.tls.trust-store-type"),
                        config.apply("zhyper.cache.remote.tls.sni-host-name")));
            }
            default -> throw new IllegalArgumentException("zhyper.cache.mode must be embedded or remote, got " + mode);
        }
    }

    private static boolean flag(String key, String value) {
        if (value == null || value.isBlank()) return false;
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, got " + value);
        };
    }

    public Mode mode() {
        return mode;
    }

    /** The named cache, created on first use (embedded: bounded local cache with statistics; remote: created on the
     *  server as a distributed cache if it does not exist). */
    public BasicCache<String, byte[]> cache(String name) {
        return caches.computeIfAbsent(name, this::open);
    }

    private BasicCache<String, byte[]> open(String name) {
        if (mode == Mode.EMBEDDED) {
            if (!embedded.cacheExists(name) && embedded.getCacheConfiguration(name) == null) {
                ConfigurationBuilder cb = new ConfigurationBuilder();
                cb.statistics().enable();
                if (maxEntries > 0) cb.memory().maxCount(maxEntries);
                embedded.defineConfiguration(name, cb.build());
            }
            return embedded.getCache(name);
        }
        RemoteCache<String, byte[]> c = remote.getCache(name);
        if (c == null) {
            c = remote.administration().getOrCreateCache(name, new StringConfiguration(
                    "{\"distributed-cache\":{\"mode\":\"SYNC\",\"encoding\":{\"media-type\":\"application/x-protostream\"}}}"));
        }
        return c;
    }

    @Override
    public void close() {
        caches.clear();
        if (embedded != null) embedded.stop();
        if (remote != null) remote.stop();
    }
}
