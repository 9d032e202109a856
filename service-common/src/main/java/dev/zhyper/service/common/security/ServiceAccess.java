package dev.zhyper.service.common.security;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;

/**
 * Puts {@link AccessGuard} (zhyper.auth.*) in front of every HTTP route and gRPC call of the service it runs in (all
 * four: this jar is a bean archive, see ServiceBeans).
 */
@ApplicationScoped
public class ServiceAccess {

    void install(@Observes Router router, Config config) {
        AccessGuard.install(router, AccessPolicy.fromConfig(k -> config.getOptionalValue(k, String.class).orElse(null)));
    }
}
