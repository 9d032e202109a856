package dev.zhyper.embedder;

import dev.zhyper.core.embed.CachingEmbedder;
import dev.zhyper.core.embed.MiniLmEmbedder;
import dev.zhyper.proto.v1.EmbedRequest;
import dev.zhyper.proto.v1.EmbedResponse;
import dev.zhyper.proto.v1.EmbedderGrpc;
import dev.zhyper.service.common.InfinispanEmbeddingCache;
import dev.zhyper.service.common.InfinispanServerResource;
import dev.zhyper.service.common.ZhyperCaches;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedder in remote cache mode (as compose and k8s run it) against a real Infinispan Server, over TLS with
 * credentials: its embedding cache lives on the server, where another Hot Rod client finds the vectors; a client
 * with a wrong password is refused.
 */
@QuarkusTest
@TestProfile(EmbedderRemoteCacheTest.RemoteCache.class)
class EmbedderRemoteCacheTest {

    public static class RemoteCache implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(InfinispanServerResource.class));
        }
    }

    @GrpcClient("embedder")
    EmbedderGrpc.EmbedderBlockingStub embedderStub;

    @Inject
    CachingEmbedder embedder;

    @Inject
    ZhyperCaches caches;

    @Inject
    Config config;

    @Test
    void embeddingsAreCachedOnTheServer() {
        assertEquals(ZhyperCaches.Mode.REMOTE, caches.mode());
        String text = "cached on the Infinispan server " + System.nanoTime();
        long misses0 = embedder.misses();
        long hits0 = embedder.hits();
        EmbedResponse first = embedderStub.embed(EmbedRequest.newBuilder().addTexts(text).build());
        assertEquals(misses0 + 1, embedder.misses());
        EmbedResponse second = embedderStub.embed(EmbedRequest.newBuilder().addTexts(text).build());
        assertEquals(hits0 + 1, embedder.hits(), "the repeat is answered from the server's cache");
        assertEquals(first, second);

        // another client of the same server (same zhyper.cache.* keys) reads the vector the service stored
        try (ZhyperCaches other = ZhyperCaches.fromConfig(k -> config.getOptionalValue(k, String.class).orElse(null))) {
            Optional<float[]> v = new InfinispanEmbeddingCache(other.cache(ZhyperCaches.EMBEDDINGS))
                    .get(CachingEmbedder.cacheKey(MiniLmEmbedder.ID, text));
            assertTrue(v.isPresent(), "on the server");
            assertEquals(384, v.get().length);
            for (int i = 0; i < 384; i++) assertEquals(first.getVectors(0).getValues(i), v.get()[i], 0f);
        }
    }

    @Test
    void theServerRefusesAWrongPassword() {
        try (ZhyperCaches wrong = ZhyperCaches.fromConfig(k -> k.equals("zhyper.cache.remote.password")
                ? "not-the-password" : config.getOptionalValue(k, String.class).orElse(null))) {
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> wrong.cache(ZhyperCaches.EMBEDDINGS).get("any"));
            StringBuilder causes = new StringBuilder();
            for (Throwable c = e; c != null; c = c.getCause()) causes.append(c).append(" | ");
            assertTrue(causes.toString().toLowerCase().contains("auth"), causes.toString());
        }
    }
}
