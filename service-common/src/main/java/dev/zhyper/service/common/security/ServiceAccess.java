package dev.zhyper.service.common.security;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;

import java.util.function.Function;

/**
 * Puts {@link AccessGuard} (zhyper.auth.*) in front of every HTTP route and gRPC call of the service it runs in: one
 * bean for all four services (service-common is a bean archive), installed when Quarkus builds the HTTP router.
 */
@ApplicationScoped
public class ServiceAccess {

    void install(@Observes Router router, Config config) {
        install(router, k -> config.getOptionalValue(k, String.class).orElse(null));
    }

    /** Installs the guard that the zhyper.auth.* keys {@code settings} returns describe (null for a missing key). */
    static void install(Router router, Function<String, String> settings) {
        AccessGuard.install(router, AccessPolicy.fromConfig(settings));
    }
}
