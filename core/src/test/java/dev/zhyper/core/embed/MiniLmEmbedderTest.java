package dev.zhyper.core.embed;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MiniLmEmbedderTest {

    static MiniLmEmbedder embedder;

    @BeforeAll
    static void load() {
        embedder = new MiniLmEmbedder();
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    @Test
    void dimensionAndScaledNorm() {
        assertEquals("all-MiniLM-L6-v2", embedder.id());
        assertEquals(384, embedder.dim());
        float[][] vs = embedder.embed(List.of("Translate the text to French", "Count the vowels in the word"));
        assertEquals(2, vs.length);
        for (float[] v : vs) {
            assertEquals(384, v.length);
            assertEquals(Math.sqrt(384), Vectors.norm(v), 1e-3);
        }
    }

    @Test
    void deterministicAndBatchConsistent() {
        String t = "Summarise the paragraph in one sentence";
        float[] a = embedder.embed(t);
        float[] b = embedder.embed(t);
        assertArrayEquals(a, b);
        float[] c = embedder.embed(List.of("something else entirely", t))[1];
        assertEquals(1.0, Vectors.cosine(a, c), 1e-5);
    }

    @Test
    void paraphrasesAreCloserThanUnrelatedTasks() {
        float[][] v = embedder.embed(List.of(
                "Translate the text to French", "Convert this sentence into French", "Count the vowels in the word"));
        double para = Vectors.cosine(v[0], v[1]);
        double unrelated = Vectors.cosine(v[0], v[2]);
        System.out.printf("MiniLM cosine: paraphrase %.4f, unrelated %.4f%n", para, unrelated);
        assertTrue(para > unrelated, "paraphrase " + para + " vs unrelated " + unrelated);
        assertTrue(para > 0.5, "paraphrase cosine " + para);
    }

    @Test
    void concurrentCallsAgreeWithSequentialOnes() throws Exception {
        List<String> texts = List.of("Translate the text to French", "Count the vowels in the word",
                "Answer the question about the passage");
        float[][] expected = embedder.embed(texts);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<float[]>> fs = new java.util.ArrayList<>();
            for (int r = 0; r < 2; r++) {
                for (String t : texts) fs.add(pool.submit(() -> embedder.embed(t)));
            }
            for (int i = 0; i < fs.size(); i++) {
                assertEquals(1.0, Vectors.cosine(expected[i % 3], fs.get(i).get()), 1e-5);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rejectsBlankText() {
        assertThrows(IllegalArgumentException.class, () -> embedder.embed(" "));
        assertEquals(0, embedder.embed(List.of()).length);
    }
}
