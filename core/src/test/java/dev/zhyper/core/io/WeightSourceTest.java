package dev.zhyper.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightSourceTest {
    @TempDir
    Path dir;

    private void shards() throws IOException {
        SafeTensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), List.of(
                TensorData.ofFloats("embed.weight", new float[]{1, 2, 3, 4, 5, 6}, 3, 2),
                TensorData.ofFloats("layers.0.w", DType.BF16, new float[]{0.5f, -1}, 2),
                TensorData.ofFloats("unlisted", new float[]{9}, 1)), Map.of("format", "pt"));
        SafeTensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), List.of(
                TensorData.ofFloats("layers.1.w", DType.F16, new float[]{7, 8}, 1, 2),
                TensorData.ofLongs("pos", new long[]{3}, 1)), Map.of("format", "pt"));
    }

    private void index(String weightMap) throws IOException {
        Files.writeString(dir.resolve(WeightSource.INDEX_FILE),
                "{\"metadata\":{\"total_size\":42},\"weight_map\":" + weightMap + "}");
    }

    private static final String GOOD_MAP = "{\"embed.weight\":\"model-00001-of-00002.safetensors\","
            + "\"layers.1.w\":\"model-00002-of-00002.safetensors\","
            + "\"layers.0.w\":\"model-00001-of-00002.safetensors\","
            + "\"pos\":\"model-00002-of-00002.safetensors\"}";

    private ModelFormatException fails() {
        return assertThrows(ModelFormatException.class, () -> WeightSource.open(dir).close());
    }

    private static void contains(ModelFormatException e, String... phrases) {
        for (String p : phrases) {
            assertTrue(e.getMessage().contains(p), () -> "expected '" + p + "' in: " + e.getMessage());
        }
    }

    @Test
    void shardedHappyPath() throws IOException {
        shards();
        index(GOOD_MAP);
        try (WeightSource w = WeightSource.open(dir)) {
            assertEquals(List.of("embed.weight", "layers.0.w", "layers.1.w", "pos"), new ArrayList<>(w.names()));
            assertFalse(w.contains("unlisted"), "the index is authoritative");
            assertTrue(w.contains("pos"));
            assertEquals(dir.resolve("model-00001-of-00002.safetensors").toAbsolutePath().normalize(),
                    w.fileOf("embed.weight").toAbsolutePath());
            assertEquals("model-00002-of-00002.safetensors", w.fileOf("layers.1.w").getFileName().toString());
            assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, w.readFloats("embed.weight", 3, 2));
            assertArrayEquals(new float[]{0.5f, -1}, w.readFloats("layers.0.w"));
            assertArrayEquals(new float[]{7, 8}, w.readFloats("layers.1.w", 1, 2));
            assertEquals(DType.I64, w.info("pos").dtype());
            assertEquals(3, w.data("pos").getLong(0));
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> w.info("nope"));
            assertEquals(dir.resolve(WeightSource.INDEX_FILE) + ": tensor 'nope' is missing", e.getMessage());
            e = assertThrows(ModelFormatException.class, () -> w.readFloats("embed.weight", 2, 3));
            contains(e, "model-00001-of-00002.safetensors: tensor 'embed.weight' has shape [3, 2], expected [2, 3]");
        }
    }

    @Test
    void singleFile() throws IOException {
        SafeTensorsWriter.write(dir.resolve("model.safetensors"), List.of(
                TensorData.ofFloats("b", new float[]{1}, 1), TensorData.ofFloats("a", new float[]{2, 3}, 2)), null);
        try (WeightSource w = WeightSource.open(dir)) {
            assertEquals(List.of("a", "b"), new ArrayList<>(w.names()));
            assertEquals(dir.resolve("model.safetensors"), w.fileOf("a"));
            assertArrayEquals(new float[]{2, 3}, w.readFloats("a", 2));
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> w.data("zz"));
            contains(e, "model.safetensors: tensor 'zz' is missing");
        }
    }

    @Test
    void indexIsPreferredOverSingleFile() throws IOException {
        shards();
        index(GOOD_MAP);
        SafeTensorsWriter.write(dir.resolve("model.safetensors"), List.of(
                TensorData.ofFloats("other", new float[]{1}, 1)), null);
        try (WeightSource w = WeightSource.open(dir)) {
            assertTrue(w.contains("pos"));
            assertFalse(w.contains("other"));
        }
    }

    @Test
    void noWeightsAtAll() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}");
        ModelFormatException e = fails();
        assertEquals(dir, e.file());
        contains(e, dir.toString(), "no weights found", WeightSource.INDEX_FILE, "model.safetensors");
        Path notDir = dir.resolve("config.json");
        e = assertThrows(ModelFormatException.class, () -> WeightSource.open(notDir));
        contains(e, "is not a directory");
    }

    @Test
    void missingShard() throws IOException {
        shards();
        index("{\"embed.weight\":\"model-00001-of-00002.safetensors\",\"x\":\"model-00003-of-00003.safetensors\"}");
        contains(fails(), WeightSource.INDEX_FILE, "shard 'model-00003-of-00003.safetensors'", "missing on disk");
    }

    @Test
    void tensorListedButAbsent() throws IOException {
        shards();
        index("{\"embed.weight\":\"model-00001-of-00002.safetensors\",\"pos\":\"model-00001-of-00002.safetensors\"}");
        contains(fails(), WeightSource.INDEX_FILE,
                "tensor 'pos' is listed for shard 'model-00001-of-00002.safetensors' but that shard does not contain it");
    }

    @Test
    void shardPathEscapes() throws IOException {
        shards();
        Path outside = dir.getParent().resolve("evil-" + dir.getFileName() + ".safetensors");
        SafeTensorsWriter.write(outside, List.of(TensorData.ofFloats("w", new float[]{1}, 1)), null);
        try {
            index("{\"w\":\"../" + outside.getFileName() + "\"}");
            contains(fails(), WeightSource.INDEX_FILE, "escapes the model directory");
            index("{\"w\":\"sub/../../" + outside.getFileName() + "\"}");
            contains(fails(), "escapes the model directory");
            index("{\"w\":\"" + outside.toAbsolutePath() + "\"}");
            contains(fails(), "must be a relative path inside the model directory");
            index("{\"w\":\"\"}");
            contains(fails(), "must be a relative path");
            index("{\"w\":\".\"}");
            contains(fails(), "escapes the model directory");
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void shardInSubdirectoryIsAllowed() throws IOException {
        Files.createDirectories(dir.resolve("shards"));
        SafeTensorsWriter.write(dir.resolve("shards/a.safetensors"),
                List.of(TensorData.ofFloats("w", new float[]{4}, 1)), null);
        index("{\"w\":\"shards/a.safetensors\"}");
        try (WeightSource w = WeightSource.open(dir)) {
            assertArrayEquals(new float[]{4}, w.readFloats("w", 1));
        }
    }

    @Test
    void malformedIndex() throws IOException {
        shards();
        Files.writeString(dir.resolve(WeightSource.INDEX_FILE), "{\"weight_map\": ");
        contains(fails(), WeightSource.INDEX_FILE, "is not valid JSON");
        Files.writeString(dir.resolve(WeightSource.INDEX_FILE), "[]");
        contains(fails(), "is not a JSON object");
        Files.writeString(dir.resolve(WeightSource.INDEX_FILE), "{\"metadata\":{}}");
        contains(fails(), "has no \"weight_map\" object");
        index("{}");
        contains(fails(), "\"weight_map\" is empty");
        index("{\"w\":3}");
        contains(fails(), "weight_map entry for tensor 'w' is not a string");
    }

    @Test
    void malformedShardIsReportedWithItsOwnName() throws IOException {
        shards();
        Files.write(dir.resolve("model-00002-of-00002.safetensors"), new byte[3]);
        index(GOOD_MAP);
        ModelFormatException e = fails();
        assertEquals("model-00002-of-00002.safetensors", e.file().getFileName().toString());
        contains(e, "shorter than 8 bytes");
    }
}
