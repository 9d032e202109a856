package dev.zhyper.core.embed;

import java.util.Optional;

/**
 * Storage behind {@link CachingEmbedder}; keys come from {@link CachingEmbedder#cacheKey}. An
 * implementation may be local ({@link LruEmbeddingCache}) or distributed (e.g. Infinispan) and must
 * be thread-safe. Implementations should store and return copies, or never let stored arrays be
 * mutated; {@link CachingEmbedder} itself never mutates arrays it gets or puts.
 */
public interface EmbeddingCache {

    Optional<float[]> get(String key);

    void put(String key, float[] vector);
}
