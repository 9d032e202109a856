package dev.zhyper.core.embed;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class CachingEmbedderTest {

    /** Deterministic fake that records the batches it is asked for. */
    static final class CountingEmbedder implements Embedder {
        final List<List<String>> calls = new ArrayList<>();

        @Override public String id() { return "fake"; }
        @Override public int dim() { return 3; }

        @Override
        public synchronized float[][] embed(List<String> texts) {
            calls.add(List.copyOf(texts));
            float[][] out = new float[texts.size()][];
            for (int i = 0; i < out.length; i++) {
                String t = texts.get(i);
                out[i] = new float[] {t.length(), t.hashCode() % 7, 1};
            }
            return out;
        }
    }

    @Test
    void batchEmbedsOnlyMissesInOneCall() {
        CountingEmbedder fake = new CountingEmbedder();
        CachingEmbedder c = new CachingEmbedder(fake, 100);
        float[][] first = c.embed(List.of("a", "bb", "a"));
        assertEquals(List.of(List.of("a", "bb")), fake.calls);
        assertEquals(0, c.hits());
        assertEquals(3, c.misses());

        float[][] second = c.embed(List.of("bb", "ccc", "a", "dddd"));
        assertEquals(List.of("ccc", "dddd"), fake.calls.get(1));
        assertEquals(2, fake.calls.size());
        assertEquals(2, c.hits());
        assertEquals(5, c.misses());
        assertArrayEquals(first[1], second[0]);
        assertArrayEquals(first[0], second[2]);

        c.embed(List.of("a", "bb"));
        assertEquals(2, fake.calls.size());
        assertEquals(4, c.hits());
    }

    @Test
    void cachedResultsEqualUncachedAndAreCopies() {
        CountingEmbedder fake = new CountingEmbedder();
        CachingEmbedder c = new CachingEmbedder(fake, new LruEmbeddingCache(10));
        float[] uncached = fake.embed("hello");
        float[] miss = c.embed("hello");
        float[] hit = c.embed("hello");
        assertArrayEquals(uncached, miss);
        assertArrayEquals(uncached, hit);
        hit[0] = 999;
        assertArrayEquals(uncached, c.embed("hello"));
        assertEquals("fake", c.id());
        assertEquals(3, c.dim());
    }

    @Test
    void cachesOneHotEmbeddings() {
        OneHotEmbedder ohe = new OneHotEmbedder(List.of("x", "y"));
        CachingEmbedder c = new CachingEmbedder(ohe, 4);
        assertArrayEquals(ohe.embed("y"), c.embed("y"));
        assertArrayEquals(ohe.embed("y"), c.embed("y"));
        assertEquals(1, c.hits());
        assertThrows(IllegalArgumentException.class, () -> c.embed("z"));
    }

    @Test
    void lruEvictsLeastRecentlyUsed() {
        LruEmbeddingCache cache = new LruEmbeddingCache(2);
        cache.put("a", new float[] {1});
        cache.put("b", new float[] {2});
        assertTrue(cache.get("a").isPresent()); // a is now most recent
        cache.put("c", new float[] {3});
        assertTrue(cache.get("b").isEmpty());
        assertTrue(cache.get("a").isPresent());
        assertTrue(cache.get("c").isPresent());
        assertEquals(2, cache.size());
        assertThrows(IllegalArgumentException.class, () -> new LruEmbeddingCache(0));
    }

    @Test
    void cacheKeyCombinesEmbedderIdAndTextHash() {
        String k = CachingEmbedder.cacheKey("all-MiniLM-L6-v2", "abc");
        assertEquals("all-MiniLM-L6-v2:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", k);
        assertNotEquals(k, CachingEmbedder.cacheKey("one-hot-2-x", "abc"));
        assertNotEquals(k, CachingEmbedder.cacheKey("all-MiniLM-L6-v2", "abd"));
    }
}
