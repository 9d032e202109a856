package dev.zhyper.embedder;

import dev.zhyper.core.embed.CachingEmbedder;
import dev.zhyper.core.embed.MiniLmEmbedder;
import dev.zhyper.core.embed.Vectors;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.ContextEvent;
import dev.zhyper.proto.v1.EmbedRequest;
import dev.zhyper.proto.v1.EmbedResponse;
import dev.zhyper.proto.v1.EmbedderGrpc;
import dev.zhyper.service.common.KafkaBrokerResource;
import dev.zhyper.service.common.KafkaTestClient;
import dev.zhyper.service.common.ProtoJson;
import dev.zhyper.service.common.ZhyperCaches;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class EmbedderServiceTest {

    @GrpcClient("embedder")
    EmbedderGrpc.EmbedderBlockingStub embedderStub;

    @GrpcClient("embedder")
    HealthGrpc.HealthBlockingStub health;

    @Inject
    CachingEmbedder embedder;

    @Inject
    ZhyperCaches caches;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void embedReturns384dVectorsWithNormSqrt384() {
        EmbedResponse r = embedderStub.embed(EmbedRequest.newBuilder()
                .addTexts("act as a geography expert").addTexts("speak like someone from Spain").build());
        assertEquals(MiniLmEmbedder.ID, r.getEmbedderId());
        assertEquals(384, r.getDim());
        assertEquals(2, r.getVectorsCount());
        for (var v : r.getVectorsList()) {
            assertEquals(384, v.getValuesCount());
            float[] a = new float[384];
            for (int i = 0; i < 384; i++) a[i] = v.getValues(i);
            assertEquals(Math.sqrt(384), Vectors.norm(a), 1e-3);
        }
        float[] a = toArray(r.getVectors(0).getValuesList());
        float[] b = toArray(r.getVectors(1).getValuesList());
        assertTrue(Vectors.cosine(a, b) < 0.99, "different texts, different vectors");
    }

    @Test
    void repeatedTextIsACacheHit() {
        String text = "a text embedded twice " + System.nanoTime();
        long hits0 = embedder.hits();
        long misses0 = embedder.misses();
        EmbedResponse first = embedderStub.embed(EmbedRequest.newBuilder().addTexts(text).build());
        assertEquals(misses0 + 1, embedder.misses());
        EmbedResponse second = embedderStub.embed(EmbedRequest.newBuilder().addTexts(text).build());
        assertEquals(hits0 + 1, embedder.hits());
        assertEquals(first, second);
        assertTrue(caches.cache(ZhyperCaches.EMBEDDINGS)
                .containsKey(CachingEmbedder.cacheKey(MiniLmEmbedder.ID, text)));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("zhyper_embedder_cache_hits_total"))
                .body(containsString("zhyper_embedder_cache_misses_total"));
    }

    @Test
    void invalidRequestsGetTheRightStatus() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "texts must not be empty", EmbedRequest.newBuilder().build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "texts[1] is blank",
                EmbedRequest.newBuilder().addTexts("fine").addTexts("   ").build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "max-text-chars 8192",
                EmbedRequest.newBuilder().addTexts("x".repeat(8193)).build());
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, "257 > max-batch 256",
                EmbedRequest.newBuilder().addAllTexts(Collections.nCopies(257, "a")).build());
    }

    private void assertStatus(Status.Code code, String messagePart, EmbedRequest request) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> embedderStub.embed(request));
        assertEquals(code, e.getStatus().getCode(), e.toString());
        assertNotNull(e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription().contains(messagePart), e.getStatus().getDescription());
    }

    @Test
    void poisonContextGoesToDlqAndConsumptionContinues() throws Exception {
        String good = "pre-warm me please " + System.nanoTime();
        String goodKey = CachingEmbedder.cacheKey(MiniLmEmbedder.ID, good);
        KafkaTestClient.send(bootstrap, Topics.CONTEXTS, "poison-json", "{this is not json".getBytes(StandardCharsets.UTF_8));
        KafkaTestClient.send(bootstrap, Topics.CONTEXTS, "poison-blank",
                ProtoJson.encode(ContextEvent.newBuilder().setSchemaVersion(1).setContextId("blank").setDescription(" ")));
        KafkaTestClient.send(bootstrap, Topics.CONTEXTS, "good",
                ProtoJson.encode(ContextEvent.newBuilder().setSchemaVersion(1).setContextId("good").setDescription(good)));

        List<ConsumerRecord<byte[], byte[]>> dlq = KafkaTestClient.readUntil(bootstrap, Topics.dlq(Topics.CONTEXTS),
                Duration.ofSeconds(60), l -> l.size() >= 2);
        assertEquals(2, dlq.size(), "both poison records dead-lettered");
        ConsumerRecord<byte[], byte[]> json = find(dlq, "poison-json");
        assertEquals("{this is not json", new String(json.value(), StandardCharsets.UTF_8));
        String reason = KafkaTestClient.header(json, Topics.DLQ_REASON_HEADER);
        assertTrue(reason.contains("not a valid ContextEvent JSON"), reason);
        assertEquals(Topics.CONTEXTS, KafkaTestClient.header(json, Topics.DLQ_TOPIC_HEADER));
        assertNotNull(KafkaTestClient.header(json, Topics.DLQ_OFFSET_HEADER));
        String blankReason = KafkaTestClient.header(find(dlq, "poison-blank"), Topics.DLQ_REASON_HEADER);
        assertTrue(blankReason.contains("description is blank"), blankReason);

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!caches.cache(ZhyperCaches.EMBEDDINGS).containsKey(goodKey) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(caches.cache(ZhyperCaches.EMBEDDINGS).containsKey(goodKey), "the good record after the poison was processed");
        long hits0 = embedder.hits();
        embedderStub.embed(EmbedRequest.newBuilder().addTexts(good).build());
        assertEquals(hits0 + 1, embedder.hits(), "pre-warmed: first gRPC call is a hit");
    }

    @Test
    void healthEndpointsAndGrpcHealth() {
        given().get("/q/health/ready").then().statusCode(200).body(containsString("embedder"));
        given().get("/q/health/live").then().statusCode(200);
        HealthCheckResponse r = health.check(HealthCheckRequest.newBuilder().build());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
    }

    private static ConsumerRecord<byte[], byte[]> find(List<ConsumerRecord<byte[], byte[]>> records, String key) {
        Optional<ConsumerRecord<byte[], byte[]>> r = records.stream()
                .filter(x -> x.key() != null && key.equals(new String(x.key(), StandardCharsets.UTF_8))).findFirst();
        assertTrue(r.isPresent(), "no DLQ record with key " + key);
        return r.get();
    }

    private static float[] toArray(List<Float> values) {
        float[] a = new float[values.size()];
        for (int i = 0; i < a.length; i++) a[i] = values.get(i);
        return a;
    }
}
