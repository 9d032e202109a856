package dev.zhyper.service.common.security;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

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
        ServiceAccess.install(router, Map.of(AccessPolicy.TOKENS, "admin:admin-secret")::get);
        assertEquals(1, router.getRoutes().size(), "one guard route in front of all others");
        AccessPolicy p = AccessPolicy.fromConfig(Map.of(AccessPolicy.TOKENS, "admin:admin-secret")::get);
        assertTrue(p.enabled());
        assertEquals(1, p.identities());
    }

    @Test
    void aDisabledPolicyInstallsNothing() {
        Router router = Router.router(vertx);
        ServiceAccess.install(router, Map.of(AccessPolicy.ENABLED, "false")::get);
        assertEquals(0, router.getRoutes().size());
        assertFalse(AccessPolicy.fromConfig(Map.of(AccessPolicy.ENABLED, "false")::get).enabled());
    }

    @Test
    void aMalformedEntryStopsTheService() {
        assertThrows(IllegalArgumentException.class,
                () -> ServiceAccess.install(Router.router(vertx), Map.of(AccessPolicy.TOKENS, "nobody:topsecret")::get));
    }
}
