package dev.zhyper.service.common.security;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;

/**
 * Puts {@link AccessGuard} (zhyper.auth.*) in front of every HTTP route and gRPC call of the service it runs in: one
 * bean for all four services (service-common is a bean archive), installed when Quarkus builds the HTTP router.
 */
@ApplicationScoped
public class ServiceAccess {

    void install(@Observes Router router, Config config) {
        AccessGuard.install(router, policy(config));
    }

    /** The access policy that {@code config}'s zhyper.auth.* keys describe. */
    static AccessPolicy policy(Config config) {
        return AccessPolicy.fromConfig(k -> config.getOptionalValue(k, String.class).orElse(null));
    }
}
