package dev.zhyper.trainer.canary;

import dev.zhyper.service.common.ProtoJson;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * {@code GET /canary}: the canary's state as JSON (the protobuf JSON mapping of {@code CanaryStatus}, the answer of
 * Trainer.GetCanary), for {@code curl} and dashboards.
 */
@ApplicationScoped
public class CanaryEndpoint {

    @Inject
    CanaryJudge judge;

    void routes(@Observes Router router) {
        router.get("/canary").blockingHandler(ctx -> ctx.response()
                .putHeader("content-type", "application/json")
                .end(ProtoJson.toJson(judge.status())));
    }
}
