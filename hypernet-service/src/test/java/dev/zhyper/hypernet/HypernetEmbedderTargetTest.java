package dev.zhyper.hypernet;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** zhyper.embedder.target=host:port configures the gRPC client "embedder"; "local" leaves it alone. */
class HypernetEmbedderTargetTest {

    private static SmallRyeConfig config(String target) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of(
                        "zhyper.embedder.target", target,
                        "quarkus.grpc.clients.embedder.host", "localhost",
                        "quarkus.grpc.clients.embedder.port", "8081"), "test", 100))
                .withInterceptors(new EmbedderTargetConfigInterceptor())
                .build();
    }

    @Test
    void hostPortTargetSetsTheGrpcClient() {
        SmallRyeConfig c = config("embedder.zhyper.svc:9081");
        assertEquals("embedder.zhyper.svc", c.getValue("quarkus.grpc.clients.embedder.host", String.class));
        assertEquals(9081, c.getValue("quarkus.grpc.clients.embedder.port", Integer.class));
    }

    @Test
    void localTargetKeepsTheConfiguredClient() {
        SmallRyeConfig c = config("local");
        assertEquals("localhost", c.getValue("quarkus.grpc.clients.embedder.host", String.class));
        assertEquals(8081, c.getValue("quarkus.grpc.clients.embedder.port", Integer.class));
    }
}
