package dev.zhyper.core.embed;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A bounded, thread-safe, in-memory least-recently-used {@link EmbeddingCache}. */
public final class LruEmbeddingCache implements EmbeddingCache {

    private final int capacity;
    private final LinkedHashMap<String, float[]> map;

    /** @param capacity maximum number of entries, at least 1 */
    public LruEmbeddingCache(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                return size() > LruEmbeddingCache.this.capacity;
            }
        };
    }

    @Override
    public synchronized Optional<float[]> get(String key) {
        float[] v = map.get(key);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    @Override
    public synchronized void put(String key, float[] vector) {
        map.put(key, vector.clone());
    }

    public synchronized int size() {
        return map.size();
    }

    public int capacity() {
        return capacity;
    }

    public synchronized void clear() {
        map.clear();
    }
}
