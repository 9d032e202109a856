package dev.zhyper.service.common;

import dev.zhyper.core.embed.EmbeddingCache;
import org.infinispan.commons.api.BasicCache;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Optional;

/**
 * A core {@link EmbeddingCache} over an Infinispan cache ({@link ZhyperCaches#EMBEDDINGS}); vectors stored as
 * little-endian float32 bytes. Use it under {@code new CachingEmbedder(new MiniLmEmbedder(), cache)}.
 */
public final class InfinispanEmbeddingCache implements EmbeddingCache {

    private final BasicCache<String, byte[]> cache;

    public InfinispanEmbeddingCache(BasicCache<String, byte[]> cache) {
        this.cache = Objects.requireNonNull(cache, "cache");
    }

    @Override
    public Optional<float[]> get(String key) {
        byte[] b = cache.get(key);
        return b == null ? Optional.empty() : Optional.of(fromBytes(b));
    }

    @Override
    public void put(String key, float[] vector) {
        cache.put(key, toBytes(vector));
    }

    /** Number of entries (exact in embedded mode). */
    public int size() {
        return cache.size();
    }

    public static byte[] toBytes(float[] v) {
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(v);
        return bb.array();
    }

    public static float[] fromBytes(byte[] b) {
        if (b.length % 4 != 0) throw new IllegalArgumentException("not a float32 array: " + b.length + " bytes");
        float[] v = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
