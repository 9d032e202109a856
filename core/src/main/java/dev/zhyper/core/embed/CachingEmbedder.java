package dev.zhyper.core.embed;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decorates an {@link Embedder} with an {@link EmbeddingCache}. Keys are
 * {@link #cacheKey(String, String)} of the delegate's id and the text. A batch call looks every
 * text up, then embeds all misses (distinct texts, in first-occurrence order) with a single
 * delegate call and stores them. Results are copies: callers may mutate them freely.
 *
 * <p>Counters: every requested text counts as one hit or one miss (a text repeated within one
 * batch and absent from the cache counts as a miss each time but is embedded once).
 * Thread-safe if the cache is; concurrent misses of the same text may embed it twice (harmless).
 * {@link #close()} closes the delegate.
 */
public final class CachingEmbedder implements Embedder {

    private final Embedder delegate;
    private final EmbeddingCache cache;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    public CachingEmbedder(Embedder delegate, EmbeddingCache cache) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.cache = Objects.requireNonNull(cache, "cache");
    }

    /** Convenience: a cache of the given capacity in front of {@code delegate}. */
    public CachingEmbedder(Embedder delegate, int capacity) {
        this(delegate, new LruEmbeddingCache(capacity));
    }

    /** {@code embedderId + ":" + hex(sha256(utf8(text)))}. */
    public static String cacheKey(String embedderId, String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return embedderId + ":" + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public int dim() {
        return delegate.dim();
    }

    @Override
    public float[][] embed(List<String> texts) {
        String eid = delegate.id();
        float[][] out = new float[texts.size()][];
        Map<String, List<Integer>> missing = new LinkedHashMap<>(); // text -> positions
        for (int i = 0; i < out.length; i++) {
            String t = texts.get(i);
            Optional<float[]> v = cache.get(cacheKey(eid, t));
            if (v.isPresent()) {
                out[i] = v.get().clone();
                hits.incrementAndGet();
            } else {
                missing.computeIfAbsent(t, k -> new ArrayList<>()).add(i);
                misses.incrementAndGet();
            }
        }
        if (!missing.isEmpty()) {
            List<String> todo = new ArrayList<>(missing.keySet());
            float[][] computed = delegate.embed(todo);
            if (computed.length != todo.size()) {
                throw new IllegalStateException(eid + " returned " + computed.length + " vectors for "
                        + todo.size() + " texts");
            }
            for (int j = 0; j < todo.size(); j++) {
                cache.put(cacheKey(eid, todo.get(j)), computed[j].clone());
                List<Integer> positions = missing.get(todo.get(j));
                for (int p = 0; p < positions.size(); p++) {
                    out[positions.get(p)] = p == 0 ? computed[j] : computed[j].clone();
                }
            }
        }
        return out;
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }

    public Embedder delegate() {
        return delegate;
    }

    @Override
    public void close() {
        delegate.close();
    }
}
