package dev.zhyper.generator;

import dev.zhyper.core.generate.SamplingParams;
import dev.zhyper.core.checkpoint.Checkpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.ChatMessage;
import dev.zhyper.proto.v1.ChatMessages;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.GenerateChunk;
import dev.zhyper.proto.v1.GenerateRequest;
import dev.zhyper.proto.v1.GenerateResponse;
import dev.zhyper.proto.v1.GenerationEvent;
import dev.zhyper.proto.v1.GeneratorGrpc;
import dev.zhyper.proto.v1.Sampling;
import dev.zhyper.service.common.KafkaBrokerResource;
import dev.zhyper.service.common.KafkaTestClient;
import dev.zhyper.service.common.ProtoJson;
import dev.zhyper.service.common.ZhyperCaches;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(TinyModelResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GeneratorServiceTest {

    static final List<String> DESCRIPTIONS = TinyModelResource.DESCRIPTIONS;

    @GrpcClient("generator")
    GeneratorGrpc.GeneratorBlockingStub stub;

    @Inject
    Serving serving;

    @Inject
    Batcher batcher;

    @Inject
    ZhyperCaches caches;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "zhyper.model.dir")
    String modelDir;

    @ConfigProperty(name = "zhyper.test.ckpt-c")
    String ckptC;

    @ConfigProperty(name = "zhyper.test.tmp")
    String tmp;

    /** A key that the chooser sends to {@code arm}. */
    String keyFor(String arm) {
        for (int i = 0; ; i++) {
            if (serving.chooser().choose("key-" + i).name().equals(arm)) return "key-" + i;
        }
    }

    GenerateRequest.Builder req(String description, String abKey) {
        GenerateRequest.Builder b = GenerateRequest.newBuilder().setPrompt("abc").setMaxTokens(12).setAbKey(abKey);
        if (description != null) b.setDescription(description);
        return b;
    }

    @Test
    @Order(1)
    void concurrentRequestsWithDifferentDescriptionsAreBatchedAndEqualToAlone() throws Exception {
        String key = keyFor("control");
        List<String> alone = new ArrayList<>();
        for (String d : DESCRIPTIONS) {
            GenerateResponse r = stub.generate(req(d, key).build());
            assertEquals("control", r.getArm());
            assertTrue(r.getCompletionTokens() <= 12);
            assertTrue(r.getFinishReason().equals("length") == (r.getCompletionTokens() == 12), r.toString());
            alone.add(r.getText());
        }
        assertTrue(alone.stream().distinct().count() > 1, "different descriptions, different outputs: " + alone);
        long multi0 = batcher.multiRowBatches();
        ExecutorService pool = Executors.newFixedThreadPool(DESCRIPTIONS.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<GenerateResponse>> fs = new ArrayList<>();
            for (String d : DESCRIPTIONS) {
                fs.add(pool.submit(() -> {
                    go.await();
                    return stub.generate(req(d, key).build());
                }));
            }
            go.countDown();
            for (int i = 0; i < fs.size(); i++) {
                assertEquals(alone.get(i), fs.get(i).get().getText(), "row " + i + " (" + DESCRIPTIONS.get(i) + ")");
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(batcher.multiRowBatches() > multi0, "the concurrent requests shared a batch");
        assertTrue(batcher.largestBatch() > 1, "largest batch " + batcher.largestBatch());
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("zhyper_generator_tokens_generated_total"))
                .body(containsString("zhyper_generator_batch_size"))
                .body(containsString("zhyper_generator_queue_depth"));
    }

    @Test
    @Order(2)
    void armsServeTheirCheckpointsAndTheSameKeyLandsOnTheSameArm() {
        Map<String, String> ckpts = serving.armCheckpoints();
        assertNotEquals(ckpts.get("control"), ckpts.get("treatment"));
        for (String arm : List.of("control", "treatment")) {
            String key = keyFor(arm);
            for (int i = 0; i < 2; i++) {
                GenerateResponse r = stub.generate(req(DESCRIPTIONS.get(0), key).build());
                assertEquals(arm, r.getArm());
                assertEquals(ckpts.get(arm), r.getCheckpointId());
                assertFalse(r.getRequestId().isEmpty());
                assertTrue(r.getPromptTokens() > 0);
                assertTrue(r.getTimings().getTotalMs() >= r.getTimings().getQueueMs());
            }
        }
        // without ab_key: the request id decides (stable per id)
        GenerateResponse a = stub.generate(req(null, "").setRequestId("fixed-id-1").build());
        GenerateResponse b = stub.generate(req(null, "").setRequestId("fixed-id-1").build());
        assertEquals(a.getArm(), b.getArm());
        assertEquals(serving.chooser().choose("fixed-id-1").name(), a.getArm());
    }

    @Test
    @Order(3)
    void generationIsPublishedWithItsArm() {
        String id = "gen-event-" + System.nanoTime();
        GenerateResponse r = stub.generate(req(DESCRIPTIONS.get(1), keyFor("treatment")).setRequestId(id).build());
        assertEquals(id, r.getRequestId());
        List<ConsumerRecord<byte[], byte[]>> recs = KafkaTestClient.readUntil(bootstrap, Topics.GENERATIONS,
                Duration.ofSeconds(60), l -> l.stream().anyMatch(x -> id.equals(key(x))));
        ConsumerRecord<byte[], byte[]> rec = recs.stream().filter(x -> id.equals(key(x))).findFirst().orElseThrow();
        GenerationEvent e = ProtoJson.decode(rec.value(), GenerationEvent::newBuilder);
        assertEquals("treatment", e.getArm());
        assertEquals(r.getCheckpointId(), e.getCheckpointId());
        assertEquals(DESCRIPTIONS.get(1), e.getContext());
        assertEquals("abc", e.getPrompt());
        assertEquals(r.getText(), e.getOutput());
        assertEquals(r.getCompletionTokens(), e.getCompletionTokens());
        assertEquals(r.getFinishReason(), e.getFinishReason());
    }

    @Test
    @Order(4)
    void streamDeltasConcatenateToTheFinalText() {
        for (String d : new String[] {null, DESCRIPTIONS.get(2)}) {
            GenerateRequest r = req(d, keyFor("control")).setMaxTokens(30).addStop("hh").build();
            Iterator<GenerateChunk> it = stub.generateStream(r);
            StringBuilder sb = new StringBuilder();
            GenerateResponse fin = null;
            int chunks = 0;
            while (it.hasNext()) {
                GenerateChunk c = it.next();
                chunks++;
                if (c.hasFinal()) {
                    assertFalse(it.hasNext(), "final chunk is the last one");
                    fin = c.getFinal();
                }
                sb.append(c.getTextDelta());
            }
            assertNotNull(fin);
            assertEquals(fin.getText(), sb.toString());
            assertTrue(chunks >= 2, "deltas then final: " + chunks);
            assertEquals(stub.generate(r).getText(), fin.getText(), "stream and unary agree");
        }
    }

    @Test
    @Order(5)
    void chatMessagesAndRegisteredContextIds() {
        String key = keyFor("control");
        GenerateResponse byPrompt = stub.generate(req(DESCRIPTIONS.get(3), key).setSystem("be nice").build());
        GenerateResponse byChat = stub.generate(GenerateRequest.newBuilder().setDescription(DESCRIPTIONS.get(3))
                .setAbKey(key).setMaxTokens(12).setMessages(ChatMessages.newBuilder()
                        .addMessages(ChatMessage.newBuilder().setRole("system").setContent("be nice"))
                        .addMessages(ChatMessage.newBuilder().setRole("user").setContent("hgf"))
                        .addMessages(ChatMessage.newBuilder().setRole("assistant").setContent("ddd"))
                        .addMessages(ChatMessage.newBuilder().setRole("user").setContent("abc"))).build());
        assertEquals(byPrompt.getText(), byChat.getText(), "last user turn + system");
        caches.cache(ZhyperCaches.CONTEXTS).put("ctx-terse", DESCRIPTIONS.get(3).getBytes(StandardCharsets.UTF_8));
        GenerateResponse byId = stub.generate(GenerateRequest.newBuilder().setContextId("ctx-terse").setPrompt("abc")
                .setSystem("be nice").setAbKey(key).setMaxTokens(12).build());
        assertEquals(byPrompt.getText(), byId.getText());
    }

    @Test
    @Order(6)
    void invalidRequestsGetTheRightStatus() {
        String key = keyFor("control");
        assertStatus(Status.Code.INVALID_ARGUMENT, "set prompt or messages",
                GenerateRequest.newBuilder().setDescription(DESCRIPTIONS.get(0)).build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "max_tokens must be in [1, 1024]", req(null, key).setMaxTokens(1025).build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "max_tokens", req(null, key).setMaxTokens(-1).build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "positions", req(null, key).setMaxTokens(1000).build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "temperature",
                req(null, key).setSampling(Sampling.newBuilder().setTemperature(-1)).build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "top_p",
                req(null, key).setSampling(Sampling.newBuilder().setTopP(1.5f)).build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "top_k",
                req(null, key).setSampling(Sampling.newBuilder().setTopK(-3)).build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "max-prompt-chars 16384", req(null, key).setPrompt("a".repeat(16385)).build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "must contain a user message", GenerateRequest.newBuilder()
                .setMessages(ChatMessages.newBuilder().addMessages(ChatMessage.newBuilder().setRole("system").setContent("x")))
                .build());
        assertStatus(Status.Code.INVALID_ARGUMENT, "unknown label", req("no such description", key).build());
        assertStatus(Status.Code.NOT_FOUND, "unknown context_id 'nope'",
                GenerateRequest.newBuilder().setContextId("nope").setPrompt("abc").build());
        // sampling that is valid works and is reproducible by seed
        GenerateRequest sampled = req(DESCRIPTIONS.get(0), key)
                .setSampling(Sampling.newBuilder().setTemperature(0.8f).setTopK(5).setTopP(0.9f).setSeed(7)).build();
        assertEquals(stub.generate(sampled).getText(), stub.generate(sampled).getText());
        // queue full: a private batcher (max-pending 1) whose worker holds the first job waiting for company
        EngineHandle h = serving.acquire("control");
        try (Batcher small = new Batcher(16, 10_000, 1, new SimpleMeterRegistry())) {
            var gr = h.engine().request(null, "abc", null, SamplingParams.greedy(), 4, null);
            var first = small.submit(new Batcher.Job("q1", "control", h, gr, null));
            h.acquire();
            StatusRuntimeException full = assertThrows(StatusRuntimeException.class,
                    () -> small.submit(new Batcher.Job("q2", "control", h, gr, null)));
            h.release();
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());
            assertTrue(full.getStatus().getDescription().contains("zhyper.queue.max-pending 1"), full.toString());
            small.close();
            assertTrue(first.isCompletedExceptionally(), "queued job failed on shutdown");
        }
        given().get("/q/health/ready").then().statusCode(200).body(containsString("generator"))
                .body(containsString("arm.control"));
    }

    private void assertStatus(Status.Code code, String messagePart, GenerateRequest request) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.generate(request));
        assertEquals(code, e.getStatus().getCode(), e.toString());
        assertNotNull(e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription().contains(messagePart), e.getStatus().getDescription());
        StatusRuntimeException s = assertThrows(StatusRuntimeException.class, () -> stub.generateStream(request).next());
        assertEquals(code, s.getStatus().getCode(), "stream: " + s);
    }

    @Test
    @Order(7)
    void checkpointEventSwapsTheFollowedArmAndBadOnesAreRefused() throws Exception {
        String key = keyFor("treatment");
        String before = stub.generate(req(DESCRIPTIONS.get(0), key).build()).getCheckpointId();
        String controlBefore = serving.armCheckpoints().get("control");
        String cId;
        String cSha;
        try (Checkpoint c = Checkpoint.open(Path.of(ckptC))) {
            cId = c.id();
            cSha = c.fingerprint();
        }
        assertNotEquals(before, cId);
        KafkaTestClient.send(bootstrap, Topics.CHECKPOINTS, cId, ProtoJson.encode(CheckpointEvent.newBuilder()
                .setSchemaVersion(1).setCheckpointId(cId).setUri(Path.of(ckptC).toUri().toString()).setSha256(cSha)
                .setStep(33).setPromoted(true)));
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String now = before;
        while (!now.equals(cId) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            now = stub.generate(req(DESCRIPTIONS.get(0), key).build()).getCheckpointId();
        }
        assertEquals(cId, now, "the treatment arm serves the announced checkpoint");
        assertEquals(controlBefore, serving.armCheckpoints().get("control"), "other arms untouched");

        // refused: (1) undecodable, (2) sha256 that does not match the manifest, (3) files tampered after writing
        Path model = Path.of(modelDir);
        Path d = TinyModelResource.checkpoint(model, Path.of(tmp).resolve("ckpt-d"), 44);
        String dId;
        try (Checkpoint c = Checkpoint.open(d)) {
            dId = c.id();
        }
        Path e = TinyModelResource.checkpoint(model, Path.of(tmp).resolve("ckpt-e"), 55);
        String eId;
        String eSha;
        try (Checkpoint c = Checkpoint.open(e)) {
            eId = c.id();
            eSha = c.fingerprint();
        }
        try (FileChannel ch = FileChannel.open(e.resolve("adapter.safetensors"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {42, 42}), ch.size() - 3);
        }
        assertEquals(eSha, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(e.resolve("manifest.json")))), "fingerprint = sha256 of manifest.json");
        KafkaTestClient.send(bootstrap, Topics.CHECKPOINTS, "garbage", "{not json".getBytes(StandardCharsets.UTF_8));
        KafkaTestClient.send(bootstrap, Topics.CHECKPOINTS, dId, ProtoJson.encode(CheckpointEvent.newBuilder()
                .setSchemaVersion(1).setCheckpointId(dId).setUri(d.toString()).setSha256("00".repeat(32))));
        KafkaTestClient.send(bootstrap, Topics.CHECKPOINTS, eId, ProtoJson.encode(CheckpointEvent.newBuilder()
                .setSchemaVersion(1).setCheckpointId(eId).setUri(e.toString()).setSha256(eSha)));
        List<String> refusedKeys = List.of("garbage", dId, eId);
        // the broker is shared with other test classes (GeneratorCanaryTest dead-letters records too): only ours
        List<ConsumerRecord<byte[], byte[]>> dlq = KafkaTestClient.readUntil(bootstrap, Topics.dlq(Topics.CHECKPOINTS),
                Duration.ofSeconds(90), l -> l.stream().filter(x -> refusedKeys.contains(key(x))).count() >= 3)
                .stream().filter(x -> refusedKeys.contains(key(x))).toList();
        assertEquals(3, dlq.size());
        assertTrue(reason(dlq, "garbage").contains("not a valid CheckpointEvent JSON"), reason(dlq, "garbage"));
        assertTrue(reason(dlq, dId).contains("sha256 mismatch"), reason(dlq, dId));
        assertTrue(reason(dlq, eId).contains("sha256"), reason(dlq, eId));
        assertEquals(Topics.CHECKPOINTS, KafkaTestClient.header(dlq.get(0), Topics.DLQ_TOPIC_HEADER));
        GenerateResponse still = stub.generate(req(DESCRIPTIONS.get(0), key).build());
        assertEquals(cId, still.getCheckpointId(), "the previous checkpoint keeps serving");
        assertEquals(cId, serving.armCheckpoints().get("treatment"));
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }

    private static String reason(List<ConsumerRecord<byte[], byte[]>> recs, String key) {
        Optional<ConsumerRecord<byte[], byte[]>> r = recs.stream().filter(x -> key.equals(key(x))).findFirst();
        assertTrue(r.isPresent(), "no DLQ record with key " + key);
        return KafkaTestClient.header(r.get(), Topics.DLQ_REASON_HEADER);
    }
}
