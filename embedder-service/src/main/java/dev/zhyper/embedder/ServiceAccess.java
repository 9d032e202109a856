package dev.zhyper.embedder;

import dev.zhyper.service.common.security.AccessGuard;
import dev.zhyper.service.common.security.AccessPolicy;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;

/** Puts service-common's {@link AccessGuard} (zhyper.auth.*) in front of every HTTP route and gRPC call. */
@ApplicationScoped
public class ServiceAccess {

    void install(@Observes Router router, Config config) {
        AccessGuard.install(router, AccessPolicy.fromConfig(k -> config.getOptionalValue(k, String.class).orElse(null)));
    }
}
