package dev.zhyper.service.common.security;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.Converter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one ServiceAccess bean of the four services: the guard goes on the router exactly when zhyper.auth is on. */
class ServiceAccessTest {

    static Vertx vertx;

    @BeforeAll
    static void start() { vertx = Vertx.vertx(); }

    @AfterAll
    static void stop() { vertx.close().toCompletionStage().toCompletableFuture().join(); }

    @Test
    void anEnabledPolicyGuardsEveryRoute() {
        Router router = Router.router(vertx);
        new ServiceAccess().install(router, config(Map.of(AccessPolicy.TOKENS, "admin:admin-secret")));
        assertEquals(1, router.getRoutes().size(), "one guard route in front of all others");
        AccessPolicy p = ServiceAccess.policy(config(Map.of(AccessPolicy.TOKENS, "admin:admin-secret")));
        assertTrue(p.enabled());
        assertEquals(1, p.identities());
    }

    @Test
    void aDisabledPolicyInstallsNothing() {
        Router router = Router.router(vertx);
        new ServiceAccess().install(router, config(Map.of(AccessPolicy.ENABLED, "false")));
        assertEquals(0, router.getRoutes().size());
        assertFalse(ServiceAccess.policy(config(Map.of(AccessPolicy.ENABLED, "false"))).enabled());
    }

    @Test
    void aMalformedEntryStopsTheService() {
        assertThrows(IllegalArgumentException.class,
                () -> new ServiceAccess().install(Router.router(vertx), config(Map.of(AccessPolicy.TOKENS, "nobody:topsecret"))));
    }

    /** A Config of fixed string values (what ServiceAccess reads: getOptionalValue). */
    private static Config config(Map<String, String> values) {
        return new Config() {
            @Override
            public <T> T getValue(String name, Class<T> type) {
                return getOptionalValue(name, type).orElseThrow(() -> new NoSuchElementException(name));
            }

            @Override
            public ConfigValue getConfigValue(String name) { throw new UnsupportedOperationException(); }

            @Override
            public <T> Optional<T> getOptionalValue(String name, Class<T> type) {
                return Optional.ofNullable(values.get(name)).map(type::cast);
            }

            @Override
            public Iterable<String> getPropertyNames() { return values.keySet(); }

            @Override
            public Iterable<ConfigSource> getConfigSources() { return List.of(); }

            @Override
            public <T> Optional<Converter<T>> getConverter(Class<T> forType) { return Optional.empty(); }

            @Override
            public <T> T unwrap(Class<T> type) { throw new UnsupportedOperationException(); }
        };
    }
}
