package dev.zhyper.core.embed;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedding-ablation encoders from Maven Central: they load, embed with the Zhyper scaling, and mean something. */
class PackagedEmbedderTest {

    @ParameterizedTest
    @EnumSource(PackagedEmbedder.Model.class)
    void loadsAndEmbedsL2NormalisedTimesRootD(PackagedEmbedder.Model model) {
        try (Embedder e = Embedders.fromSpec(model.option())) {
            assertEquals(model.id(), e.id());
            assertEquals(384, e.dim());
            float[][] v = e.embed(List.of("Translate the text to French", "Convert this sentence into French",
                    "Count the vowels in the word"));
            for (float[] x : v) {
                assertEquals(384, x.length);
                assertEquals(Math.sqrt(384), Vectors.norm(x), 1e-3);
            }
            double para = Vectors.cosine(v[0], v[1]);
            double unrelated = Vectors.cosine(v[0], v[2]);
            assertTrue(para > unrelated, model + ": paraphrase " + para + " vs unrelated " + unrelated);
            assertArrayEquals(v[2], e.embed("Count the vowels in the word"), 1e-5f, "deterministic");
            // not MiniLM under another name
            double vsMiniLm = Vectors.cosine(v[0], new MiniLmEmbedder().embed("Translate the text to French"));
            assertTrue(vsMiniLm < 0.9, "a different encoder: cosine to MiniLM " + vsMiniLm);
        }
    }
}
