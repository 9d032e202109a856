package dev.zhyper.hypernet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zhyper.core.embed.MiniLmEmbedder;
import dev.zhyper.core.adapter.PeftExport;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.AdapterEvent;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.ContextEvent;
import dev.zhyper.proto.v1.ExportPeftRequest;
import dev.zhyper.proto.v1.FileChunk;
import dev.zhyper.proto.v1.HypernetGrpc;
import dev.zhyper.proto.v1.ModulateRequest;
import dev.zhyper.proto.v1.ModulateResponse;
import dev.zhyper.proto.v1.RegisterContextRequest;
import dev.zhyper.proto.v1.RegisterContextResponse;
import dev.zhyper.proto.v1.SiteModulation;
import dev.zhyper.proto.v1.Vector;
import dev.zhyper.service.common.KafkaBrokerResource;
import dev.zhyper.service.common.KafkaTestClient;
import dev.zhyper.service.common.ProtoJson;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

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
@QuarkusTestResource(HypernetTestResource.class)
class HypernetServiceTest {

    static final int LAYERS = 2;
    static final int TARGETS = 2;
    static final int R = TestCheckpoints.RANK;

    @GrpcClient("hypernet")
    HypernetGrpc.HypernetBlockingStub hypernet;

    @GrpcClient("hypernet")
    HealthGrpc.HealthBlockingStub health;

    @Inject
    ModulationService service;

    @Inject
    ContextEmbedder embedder;

    @Inject
    CheckpointRegistry registry;

    @Inject
    CheckpointConsumer checkpointConsumer;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "zhyper.test.checkpoint-a")
    String checkpointA;

    @ConfigProperty(name = "zhyper.test.checkpoint-b")
    String checkpointB;

    @ConfigProperty(name = "zhyper.test.root")
    String root;

    String idA;
    String idB;

    @BeforeEach
    void ids() {
        idA = TestCheckpoints.id(Path.of(checkpointA));
        idB = TestCheckpoints.id(Path.of(checkpointB));
    }

    // ------------------------------------------------------------------------------------------ Modulate

    @Test
    void modulateByDescriptionContextIdAndEmbeddingWithCacheHits() {
        String d = "act as a geography expert " + System.nanoTime();
        double hits0 = service.cacheHits();
        double misses0 = service.cacheMisses();
        ModulateResponse first = hypernet.modulate(ModulateRequest.newBuilder().setDescription(d).setCheckpointId(idA).build());
        assertEquals(misses0 + 1, service.cacheMisses());
        assertEquals(idA, first.getCheckpointId());
        assertEquals("DIAG", first.getMethod());
        assertEquals(R, first.getRank());
        assertEquals(LAYERS * TARGETS, first.getSitesCount(), "L x T sites");
        assertEquals(4L * LAYERS * TARGETS * R, first.getBytes());
        List<String> seen = first.getSitesList().stream().map(s -> s.getLayer() + "/" + s.getModule()).toList();
        assertEquals(List.of("0/q_proj", "0/v_proj", "1/q_proj", "1/v_proj"), seen);
        for (SiteModulation s : first.getSitesList()) {
            assertEquals(List.of(R), s.getShapeList());
            assertEquals(R, s.getValuesCount());
            assertTrue(s.getValuesList().stream().anyMatch(v -> v != 0f), "non-zero z");
        }
        double misses1 = service.cacheMisses();
        ModulateResponse again = hypernet.modulate(ModulateRequest.newBuilder().setDescription(d).setCheckpointId(idA).build());
        assertEquals(misses1, service.cacheMisses(), "repeat is no miss");
        assertTrue(service.cacheHits() >= hits0 + 1, "repeat is a cache hit");
        assertEquals(first, again);

        // registered context id -> same z
        RegisterContextResponse reg = hypernet.registerContext(RegisterContextRequest.newBuilder()
                .setContextId("geo:expert-" + System.nanoTime()).setDescription(d).build());
        assertEquals(ModulationService.contextHash(d), reg.getContextHash());
        ModulateResponse byId = hypernet.modulate(ModulateRequest.newBuilder().setContextId(reg.getContextId())
                .setCheckpointId(idA).build());
        assertEquals(first, byId);

        // the raw MiniLM embedding of the description -> the same z (up to float noise)
        float[] e = embedder.local().embed(List.of(d))[0];
        Vector.Builder v = Vector.newBuilder();
        for (float x : e) v.addValues(x);
        ModulateResponse byEmbedding = hypernet.modulate(ModulateRequest.newBuilder().setEmbedding(v)
                .setCheckpointId(idA).build());
        assertEquals(first.getSitesCount(), byEmbedding.getSitesCount());
        for (int i = 0; i < first.getSitesCount(); i++) {
            List<Float> a = first.getSites(i).getValuesList();
            List<Float> b = byEmbedding.getSites(i).getValuesList();
            for (int k = 0; k < a.size(); k++) assertEquals(a.get(k), b.get(k), 1e-5);
        }
        // RegisterContext above also publishes the context, and the service pre-warms its z in the background (a
        // cache hit at a moment of its own): so count this request's miss, not the global hit count
        double hits2 = service.cacheHits();
        double misses2 = service.cacheMisses();
        hypernet.modulate(ModulateRequest.newBuilder().setEmbedding(v).setCheckpointId(idA).build());
        assertEquals(misses2, service.cacheMisses(), "embedding requests are cached too (no miss on a repeat)");
        assertTrue(service.cacheHits() >= hits2 + 1, "the repeat is a hit");

        // empty checkpoint_id resolves to the current checkpoint
        ModulateResponse current = hypernet.modulate(ModulateRequest.newBuilder().setDescription(d).build());
        assertFalse(current.getCheckpointId().isEmpty());

        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("zhyper_hypernet_cache_hits_total"))
                .body(containsString("zhyper_hypernet_cache_misses_total"));
    }

    @Test
    void invalidRequestsGetTheRightStatus() {
        assertStatus(Status.Code.INVALID_ARGUMENT, "no context set",
                () -> hypernet.modulate(ModulateRequest.newBuilder().build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "description is blank",
                () -> hypernet.modulate(ModulateRequest.newBuilder().setDescription("  ").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "max-description-chars 4096",
                () -> hypernet.modulate(ModulateRequest.newBuilder().setDescription("x".repeat(4097)).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "embedding has dimension 3, checkpoint " + idA + " expects 384",
                () -> hypernet.modulate(ModulateRequest.newBuilder().setCheckpointId(idA)
                        .setEmbedding(Vector.newBuilder().addValues(1).addValues(2).addValues(3)).build()));
        assertStatus(Status.Code.NOT_FOUND, "context_id 'nobody' is not registered",
                () -> hypernet.modulate(ModulateRequest.newBuilder().setContextId("nobody").build()));
        assertStatus(Status.Code.NOT_FOUND, "checkpoint 'no-such-checkpoint' is not loaded",
                () -> hypernet.modulate(ModulateRequest.newBuilder().setDescription("fine")
                        .setCheckpointId("no-such-checkpoint").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "outside [A-Za-z0-9._:-]",
                () -> hypernet.registerContext(RegisterContextRequest.newBuilder().setContextId("bad id!")
                        .setDescription("d").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "context_id must not be empty",
                () -> hypernet.registerContext(RegisterContextRequest.newBuilder().setDescription("d").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "129 characters > 128",
                () -> hypernet.registerContext(RegisterContextRequest.newBuilder().setContextId("a".repeat(129))
                        .setDescription("d").build()));
        assertStatus(Status.Code.NOT_FOUND, "is not loaded", () -> hypernet.exportPeft(ExportPeftRequest.newBuilder()
                .setDescription("d").setCheckpointId("no-such-checkpoint").build()).hasNext());
    }

    private static void assertStatus(Status.Code code, String messagePart, Supplier<?> call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
        assertEquals(code, e.getStatus().getCode(), e.toString());
        assertNotNull(e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription().contains(messagePart), e.getStatus().getDescription());
    }

    // ------------------------------------------------------------------------------------------ checkpoints

    @Test
    void checkpointEventsSwitchWithoutRestartAndBadOnesAreRefused() throws Exception {
        waitFor(checkpointConsumer::caughtUp, "zhyper.checkpoints history applied");
        String d = "speak like someone from Spain";
        Path a = Path.of(checkpointA);
        Path b = Path.of(checkpointB);
        publishCheckpoint(idA, a, TestCheckpoints.fingerprint(a));
        waitFor(() -> idA.equals(currentId(d)), "serving a");
        ModulateResponse za = hypernet.modulate(ModulateRequest.newBuilder().setDescription(d).build());

        publishCheckpoint(idB, b, TestCheckpoints.fingerprint(b));
        waitFor(() -> idB.equals(currentId(d)), "switched to b");
        ModulateResponse zb = hypernet.modulate(ModulateRequest.newBuilder().setDescription(d).build());
        assertEquals(idB, zb.getCheckpointId());
        assertEquals("SQUARE", zb.getMethod());
        assertEquals(List.of(R, R), zb.getSites(0).getShapeList());
        assertEquals(R * R, zb.getSites(0).getValuesCount());
        assertNotEquals(za.getSitesList(), zb.getSitesList(), "z differs");
        // a is still loaded for explicit requests
        assertEquals(za, hypernet.modulate(ModulateRequest.newBuilder().setDescription(d).setCheckpointId(idA).build()));

        // refused: wrong sha256, tampered file, missing directory, undecodable record
        Path tampered = TestCheckpoints.tamperedCopy(a, Path.of(root).resolve("tampered-" + System.nanoTime()));
        KafkaTestClient.send(bootstrap, Topics.CHECKPOINTS, "bad-sha", event(idA, a, "0".repeat(64)));
        KafkaTestClient.send(bootstrap, Topics.CHECKPOINTS, "tampered", event(idA, tampered, TestCheckpoints.fingerprint(tampered)));
        KafkaTestClient.send(bootstrap, Topics.CHECKPOINTS, "missing",
                event("gone", Path.of(root).resolve("does-not-exist"), "1".repeat(64)));
        KafkaTestClient.send(bootstrap, Topics.CHECKPOINTS, "garbage", "][".getBytes(StandardCharsets.UTF_8));
        // outside zhyper.checkpoints.roots (the temp dir in tests): /etc as a new user would try with kcat, a
        // directory that does not exist, and a link inside the root that leads out
        Path escape = Files.createSymbolicLink(Path.of(root).resolve("escape-" + System.nanoTime()), Path.of("/etc"));
        KafkaTestClient.send(bootstrap, Topics.CHECKPOINTS, "etc", ProtoJson.encode(CheckpointEvent.newBuilder()
                .setSchemaVersion(1).setCheckpointId("etc").setUri("/etc").setSha256("2".repeat(64)).setPromoted(true)));
        KafkaTestClient.send(bootstrap, Topics.CHECKPOINTS, "nowhere", ProtoJson.encode(CheckpointEvent.newBuilder()
                .setSchemaVersion(1).setCheckpointId("nowhere").setUri("FILE:///no/such/dir").setSha256("3".repeat(64))
                .setPromoted(true)));
        KafkaTestClient.send(bootstrap, Topics.CHECKPOINTS, "escape", event("escape", escape, "4".repeat(64)));
        Map<String, ConsumerRecord<byte[], byte[]>> dlq = readKeys(Topics.dlq(Topics.CHECKPOINTS),
                List.of("bad-sha", "tampered", "missing", "garbage", "etc", "nowhere", "escape"));
        assertReason(dlq.get("bad-sha"), "sha256 mismatch");
        assertReason(dlq.get("tampered"), "sha256 mismatch for adapter.safetensors");
        String outside = "not an existing directory under zhyper.checkpoints.roots";
        for (String k : List.of("missing", "etc", "nowhere", "escape")) {
            assertReason(dlq.get(k), outside);
            String reason = KafkaTestClient.header(dlq.get(k), Topics.DLQ_REASON_HEADER);
            assertFalse(reason.contains("/") || reason.contains("manifest"), "names no path: " + reason);
        }
        assertEquals(KafkaTestClient.header(dlq.get("etc"), Topics.DLQ_REASON_HEADER),
                KafkaTestClient.header(dlq.get("nowhere"), Topics.DLQ_REASON_HEADER), "no existence oracle");
        Files.delete(escape);
        assertReason(dlq.get("garbage"), "not a valid CheckpointEvent JSON");
        assertEquals(Topics.CHECKPOINTS, KafkaTestClient.header(dlq.get("tampered"), Topics.DLQ_TOPIC_HEADER));
        assertEquals(idB, registry.current().id(), "the previous checkpoint keeps serving");
        assertEquals(zb, hypernet.modulate(ModulateRequest.newBuilder().setDescription(d).build()));

        // and back to a (already loaded: no reload)
        publishCheckpoint(idA, a, TestCheckpoints.fingerprint(a));
        waitFor(() -> idA.equals(currentId(d)), "switched back to a");
        given().get("/q/health/ready").then().statusCode(200)
                .body(containsString("checkpoint_loaded")).body(containsString(idA));
    }

    private byte[] event(String id, Path dir, String sha) {
        return ProtoJson.encode(CheckpointEvent.newBuilder().setSchemaVersion(1).setCheckpointId(id)
                .setUri(dir.toUri().toString()).setSha256(sha).setStep(1).setPromoted(true));
    }

    private void publishCheckpoint(String id, Path dir, String sha) {
        KafkaTestClient.send(bootstrap, Topics.CHECKPOINTS, id, event(id, dir, sha));
    }

    private String currentId(String d) {
        return hypernet.modulate(ModulateRequest.newBuilder().setDescription(d).build()).getCheckpointId();
    }

    private static void assertReason(ConsumerRecord<byte[], byte[]> r, String part) {
        String reason = KafkaTestClient.header(r, Topics.DLQ_REASON_HEADER);
        assertNotNull(reason);
        assertTrue(reason.contains(part), reason);
    }

    // ------------------------------------------------------------------------------------------ contexts

    @Test
    void contextEventsBecomeAdapterEventsAndPoisonGoesToTheDlq() throws Exception {
        String good = "answer like a pirate " + System.nanoTime();
        String goodHash = ModulationService.contextHash(good);
        KafkaTestClient.send(bootstrap, Topics.CONTEXTS, "poison-json", "{this is not json".getBytes(StandardCharsets.UTF_8));
        KafkaTestClient.send(bootstrap, Topics.CONTEXTS, "poison-id", ProtoJson.encode(ContextEvent.newBuilder()
                .setSchemaVersion(1).setContextId("bad id!").setDescription("x")));
        KafkaTestClient.send(bootstrap, Topics.CONTEXTS, goodHash, ProtoJson.encode(ContextEvent.newBuilder()
                .setSchemaVersion(1).setContextId("pirate").setDescription(good)));
        // RegisterContext publishes a ContextEvent itself
        String registered = "be concise " + System.nanoTime();
        String regHash = hypernet.registerContext(RegisterContextRequest.newBuilder().setContextId("concise")
                .setDescription(registered).build()).getContextHash();

        Map<String, ConsumerRecord<byte[], byte[]>> dlq = readKeys(Topics.dlq(Topics.CONTEXTS),
                List.of("poison-json", "poison-id"));
        assertEquals("{this is not json", new String(dlq.get("poison-json").value(), StandardCharsets.UTF_8));
        assertReason(dlq.get("poison-json"), "not a valid ContextEvent JSON");
        assertReason(dlq.get("poison-id"), "outside [A-Za-z0-9._:-]");

        Map<String, ConsumerRecord<byte[], byte[]>> adapters = readKeys(Topics.ADAPTERS, List.of(goodHash, regHash));
        AdapterEvent ev = ProtoJson.decode(adapters.get(goodHash).value(), AdapterEvent::newBuilder);
        assertEquals("pirate", ev.getContextId());
        assertEquals(goodHash, ev.getContextHash());
        assertFalse(ev.getCheckpointId().isEmpty());
        assertEquals(ev.getCheckpointId(), ev.getModulation().getCheckpointId());
        assertEquals(LAYERS * TARGETS, ev.getModulation().getSitesCount());
        AdapterEvent reg = ProtoJson.decode(adapters.get(regHash).value(), AdapterEvent::newBuilder);
        assertEquals("concise", reg.getContextId());
        // the event's context id is registered, and its z is cached for that checkpoint
        double hits0 = service.cacheHits();
        double misses0 = service.cacheMisses();
        ModulateResponse byId = hypernet.modulate(ModulateRequest.newBuilder().setContextId("pirate")
                .setCheckpointId(ev.getCheckpointId()).build());
        assertEquals(ev.getModulation(), byId);
        assertEquals(misses0, service.cacheMisses(), "served from the cache the event filled");
        assertTrue(service.cacheHits() >= hits0 + 1);
    }

    private Map<String, ConsumerRecord<byte[], byte[]>> readKeys(String topic, List<String> keys) {
        List<ConsumerRecord<byte[], byte[]>> got = KafkaTestClient.readUntil(bootstrap, topic, Duration.ofSeconds(90),
                l -> keys.stream().allMatch(k -> find(l, k).isPresent()));
        Map<String, ConsumerRecord<byte[], byte[]>> out = new LinkedHashMap<>();
        for (String k : keys) {
            Optional<ConsumerRecord<byte[], byte[]>> r = find(got, k);
            assertTrue(r.isPresent(), "no record with key " + k + " on " + topic);
            out.put(k, r.get());
        }
        return out;
    }

    private static Optional<ConsumerRecord<byte[], byte[]>> find(List<ConsumerRecord<byte[], byte[]>> records, String key) {
        ConsumerRecord<byte[], byte[]> last = null;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.key() != null && key.equals(new String(r.key(), StandardCharsets.UTF_8))) last = r;
        }
        return Optional.ofNullable(last);
    }

    // ------------------------------------------------------------------------------------------ export

    @Test
    void exportPeftStreamsBothFiles() throws Exception {
        Iterator<FileChunk> it = hypernet.exportPeft(ExportPeftRequest.newBuilder()
                .setDescription("act as a geography expert").setCheckpointId(idA).build());
        Map<String, ByteArrayOutputStream> files = new LinkedHashMap<>();
        Map<String, Boolean> lastSeen = new LinkedHashMap<>();
        while (it.hasNext()) {
            FileChunk c = it.next();
            assertFalse(lastSeen.getOrDefault(c.getFileName(), false), "no chunk after last of " + c.getFileName());
            assertTrue(c.getData().size() <= 1 << 20);
            files.computeIfAbsent(c.getFileName(), k -> new ByteArrayOutputStream()).write(c.getData().toByteArray());
            if (c.getLast()) lastSeen.put(c.getFileName(), true);
        }
        assertEquals(List.of(PeftExport.CONFIG, PeftExport.WEIGHTS), List.copyOf(files.keySet()));
        assertEquals(Map.of(PeftExport.CONFIG, true, PeftExport.WEIGHTS, true), lastSeen);
        JsonNode config = new ObjectMapper().readTree(files.get(PeftExport.CONFIG).toByteArray());
        assertEquals(R, config.get("r").asInt());
        assertEquals("LORA", config.get("peft_type").asText());
        byte[] st = files.get(PeftExport.WEIGHTS).toByteArray();
        assertTrue(st.length > 8);
        long headerLen = java.nio.ByteBuffer.wrap(st, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = new ObjectMapper().readTree(new String(st, 8, (int) headerLen, StandardCharsets.UTF_8));
        assertTrue(header.fieldNames().hasNext());
        assertTrue(header.toString().contains("lora_A"), header.toString());
    }

    @Test
    void healthEndpointsAndGrpcHealth() {
        given().get("/q/health/ready").then().statusCode(200).body(containsString("checkpoint_loaded"))
                .body(containsString(MiniLmEmbedder.ID));
        given().get("/q/health/live").then().statusCode(200);
        HealthCheckResponse r = health.check(HealthCheckRequest.newBuilder().build());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
    }

    private static void waitFor(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.get()) return;
            Thread.sleep(100);
        }
        assertTrue(condition.get(), "timed out waiting for: " + what);
    }
}
