package dev.zhyper.service.common;

import dev.zhyper.core.embed.CachingEmbedder;
import dev.zhyper.core.embed.Embedder;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.ContextEvent;
import dev.zhyper.stack.EmbeddedKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.infinispan.commons.api.BasicCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceCommonTest {

    @TempDir
    Path tmp;

    @Test
    void protoJsonRoundTripsAndRejectsGarbage() {
        CheckpointEvent e = CheckpointEvent.newBuilder().setSchemaVersion(1).setCheckpointId("ck1").setStep(42)
                .putMetrics("loss", 0.5).build();
        String json = ProtoJson.toJson(e);
        assertTrue(json.contains("\"checkpointId\":\"ck1\""), json);
        assertTrue(json.contains("\"step\":\"42\""), json); // int64 as string in the proto JSON mapping
        assertEquals(e, ProtoJson.decode(ProtoJson.encode(e), CheckpointEvent::newBuilder));
        // unknown fields are ignored
        ContextEvent c = ProtoJson.fromJson("{\"schemaVersion\":1,\"description\":\"d\",\"future\":3}", ContextEvent::newBuilder);
        assertEquals("d", c.getDescription());
        assertThrows(ProtoJson.EventDecodeException.class, () -> ProtoJson.fromJson("not json", ContextEvent::newBuilder));
        assertThrows(ProtoJson.EventDecodeException.class, () -> ProtoJson.decode(new byte[0], ContextEvent::newBuilder));
        assertThrows(ProtoJson.EventDecodeException.class,
                () -> ProtoJson.decode(new byte[] {(byte) 0xff, (byte) 0xfe}, ContextEvent::newBuilder));
        var ex = assertThrows(ProtoJson.EventDecodeException.class,
                () -> ProtoJson.fromJson("{\"schemaVersion\":2}", ContextEvent::newBuilder));
        assertTrue(ex.getMessage().contains("schema_version 2"), ex.getMessage());
    }

    @Test
    void embeddedInfinispanBacksCachingEmbedder() {
        try (ZhyperCaches caches = ZhyperCaches.fromConfig(Map.of("zhyper.cache.max-entries", "10")::get)) {
            assertEquals(ZhyperCaches.Mode.EMBEDDED, caches.mode());
            BasicCache<String, byte[]> cache = caches.cache(ZhyperCaches.EMBEDDINGS);
            assertEquals(cache, caches.cache(ZhyperCaches.EMBEDDINGS));
            int[] calls = {0};
            Embedder fake = new Embedder() {
                public String id() { return "fake"; }
                public int dim() { return 3; }
                public float[][] embed(List<String> texts) {
                    calls[0]++;
                    float[][] out = new float[texts.size()][];
                    for (int i = 0; i < out.length; i++) out[i] = new float[] {texts.get(i).length(), 1.5f, -2f};
                    return out;
                }
            };
            CachingEmbedder ce = new CachingEmbedder(fake, new InfinispanEmbeddingCache(cache));
            float[] a = ce.embed("hello");
            float[] b = ce.embed("hello");
            assertArrayEquals(a, b);
            assertEquals(1, calls[0]);
            assertEquals(1, ce.hits());
            assertArrayEquals(new float[] {5f, 1.5f, -2f},
                    InfinispanEmbeddingCache.fromBytes(cache.get(CachingEmbedder.cacheKey("fake", "hello"))));
            for (int i = 0; i < 50; i++) ce.embed("t" + i);
            assertTrue(cache.size() <= 10, "bounded: " + cache.size());
        }
        assertThrows(IllegalArgumentException.class, () -> ZhyperCaches.fromConfig(Map.of("zhyper.cache.mode", "remote")::get));
    }

    @Test
    void remoteModeRefusesToStartWithoutCredentials() {
        // no default password is shipped: remote mode names the missing key (the server test is EmbedderRemoteCacheTest)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZhyperCaches.fromConfig(Map.of(
                "zhyper.cache.mode", "remote", "zhyper.cache.remote.servers", "127.0.0.1:1",
                "zhyper.cache.remote.username", "zhyper")::get));
        assertTrue(e.getMessage().contains("zhyper.cache.remote.password"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ZhyperCaches.fromConfig(Map.of(
                "zhyper.cache.mode", "remote", "zhyper.cache.remote.servers", "127.0.0.1:1",
                "zhyper.cache.remote.password", "p")::get), "a username too");
        IllegalArgumentException flag = assertThrows(IllegalArgumentException.class, () -> ZhyperCaches.fromConfig(Map.of(
                "zhyper.cache.mode", "remote", "zhyper.cache.remote.servers", "127.0.0.1:1",
                "zhyper.cache.remote.username", "zhyper", "zhyper.cache.remote.password", "p",
                "zhyper.cache.remote.tls.enabled", "yes")::get));
        assertTrue(flag.getMessage().contains("zhyper.cache.remote.tls.enabled"), flag.getMessage());
        assertFalse(new ZhyperCaches.Remote("h:1", "u", "secret-pw", true, null, null, null, null).toString()
                .contains("secret-pw"));
    }

    @Test
    void deadLetterPublisherWritesHeaders() {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("k")).deleteLogDirOnClose(true);
             DeadLetterPublisher dlq = new DeadLetterPublisher(KafkaClientConfig.plain(kafka.bootstrapServers()))) {
            dlq.publish(Topics.CONTEXTS, 0, 17, "key".getBytes(StandardCharsets.UTF_8), "{bad".getBytes(StandardCharsets.UTF_8),
                    null, "not a valid ContextEvent JSON");
            List<ConsumerRecord<byte[], byte[]>> got = KafkaTestClient.readUntil(kafka.bootstrapServers(),
                    Topics.dlq(Topics.CONTEXTS), Duration.ofSeconds(30), l -> !l.isEmpty());
            assertEquals(1, got.size());
            ConsumerRecord<byte[], byte[]> r = got.get(0);
            assertEquals("zhyper.dlq.zhyper.contexts", r.topic());
            assertEquals("{bad", new String(r.value(), StandardCharsets.UTF_8));
            assertEquals("not a valid ContextEvent JSON", KafkaTestClient.header(r, Topics.DLQ_REASON_HEADER));
            assertEquals(Topics.CONTEXTS, KafkaTestClient.header(r, Topics.DLQ_TOPIC_HEADER));
            assertEquals("17", KafkaTestClient.header(r, Topics.DLQ_OFFSET_HEADER));
        }
    }
}
