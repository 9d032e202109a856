package dev.zhyper.embedder;

import dev.zhyper.core.embed.CachingEmbedder;
import dev.zhyper.core.embed.Embedders;
import dev.zhyper.service.common.InfinispanEmbeddingCache;
import dev.zhyper.service.common.ZhyperCaches;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import dev.zhyper.service.common.OwnedMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Wiring: the cached embedder and its meters. Caches, Kafka clients and the DLQ publisher: service-common's
 * ServiceBeans.
 */
@ApplicationScoped
public class EmbedderBeans {

    /** The embedder's function-backed meters, removed when it is disposed. */
    private OwnedMeters gauges;

    /**
     * The encoder chosen by {@code zhyper.embedder.model} (packaged all-MiniLM-L6-v2 by default, an ONNX
     * sentence-transformer directory, or the base model's mean-pooled hidden states) behind the
     * {@code zhyper-embeddings} cache. Created at startup so that the model is loaded before readiness turns UP.
     */
    @Produces
    @Singleton
    @Startup
    CachingEmbedder embedder(ZhyperCaches caches, MeterRegistry registry, EmbedderSettings config) {
        CachingEmbedder e = new CachingEmbedder(Embedders.fromSpec(config.model()),
                new InfinispanEmbeddingCache(caches.cache(ZhyperCaches.EMBEDDINGS)));
        gauges = new OwnedMeters(registry);
        gauges.own(FunctionCounter.builder("zhyper.embedder.cache.hits", e, CachingEmbedder::hits)
                .description("texts answered from the embedding cache").register(registry));
        gauges.own(FunctionCounter.builder("zhyper.embedder.cache.misses", e, CachingEmbedder::misses)
                .description("texts embedded by the model").register(registry));
        gauges.own(Gauge.builder("zhyper.embedder.cache.size", caches, c -> c.cache(ZhyperCaches.EMBEDDINGS).size())
                .description("entries in the zhyper-embeddings cache").register(registry));
        return e;
    }

    void closeEmbedder(@Disposes CachingEmbedder embedder) {
        if (gauges != null) gauges.close();
        embedder.close();
    }
}
