package dev.zhyper.core.embed;

import dev.zhyper.core.model.random.RandomModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddersTest {
    @TempDir
    Path tmp;

    @Test
    void anOnnxDirectoryWithMeanPoolingReproducesThePackagedEncoder() throws Exception {
        // the packaged all-MiniLM-L6-v2, laid out as a sentence-transformer ONNX directory
        Path dir = Files.createDirectories(tmp.resolve("all-minilm-onnx"));
        copy("/all-minilm-l6-v2.onnx", dir.resolve("model.onnx"));
        copy("/all-minilm-l6-v2-tokenizer.json", dir.resolve("tokenizer.json"));
        List<String> texts = List.of("Reverse the word.", "Translate the text to French");
        try (Embedder onnx = Embedders.fromSpec("onnx:" + dir + ":mean"); Embedder packaged = Embedders.fromSpec("minilm")) {
            assertEquals(384, onnx.dim());
            float[][] a = onnx.embed(texts);
            float[][] b = packaged.embed(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(b[i], a[i], 1e-4f);
            }
            assertTrue(onnx.id().startsWith("onnx:"));
        }
    }

    private static void copy(String resource, Path to) throws Exception {
        try (InputStream in = EmbeddersTest.class.getResourceAsStream(resource)) {
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void theBaseModelCanEmbedDescriptions() throws Exception {
        Path model = RandomModels.writeLlama(tmp.resolve("m"), RandomModels.LlamaShape.tiny(0), "abcdefgh ", 1);
        try (Embedder e = Embedders.fromSpec("base:" + model)) {
            float[][] v = e.embed(List.of("abc", "hgf edc", "abc"));
            assertEquals(32, e.dim());
            assertEquals(Math.sqrt(32), Vectors.norm(v[0]), 1e-3);
            assertArrayEquals(v[0], v[2], 0f);
            assertTrue(Vectors.cosine(v[0], v[1]) < 0.9999);
        }
    }

    @Test
    void unknownSpecsAndBadDirectoriesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Embedders.fromSpec("word2vec"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Embedders.fromSpec("onnx:" + tmp.resolve("nothing-here")));
        assertTrue(e.getMessage().contains("model.onnx"), e.getMessage());
    }
}
