package dev.zhyper.core.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.core.io.DType;
import dev.zhyper.core.io.ModelFormatException;
import dev.zhyper.core.io.SafeTensorsFile;
import dev.zhyper.core.io.SafeTensorsWriter;
import dev.zhyper.core.io.TensorData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    static Map<String, List<TensorData>> tensors(float seed) {
        Map<String, List<TensorData>> m = new LinkedHashMap<>();
        m.put("params.safetensors", List.of(
                TensorData.ofFloats("w", new float[]{seed, 2f, -3f, 0x1p-20f, 5f, 6f}, 2, 3),
                TensorData.ofFloats("b", DType.BF16, new float[]{1f, -2f}, 2)));
        m.put("optimizer.safetensors", List.of(
                TensorData.ofFloats("m.w", new float[]{0.5f, 0.25f}, 2),
                TensorData.ofLongs("step", new long[]{seed > 0 ? 7 : 8})));
        return m;
    }

    static ObjectNode body(long step) {
        ObjectNode b = JSON.createObjectNode();
        b.put("step", step);
        b.putObject("metrics").put("loss", 1.25);
        b.putObject("spec").put("rank", 8).put("name", "zhyper");
        return b;
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    @Test
    void roundTrip() throws IOException {
        Path dir = root.resolve("step-100");
        Map<String, List<TensorData>> ts = tensors(1f);
        assertEquals(dir, Checkpoint.write(dir, ts, body(100), false));
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(dir, c.dir());
            assertEquals(Set.of("params.safetensors", "optimizer.safetensors"), c.files());
            assertTrue(c.has("params.safetensors"));
            assertFalse(c.has("nope.safetensors"));
            ObjectNode m = c.manifest();
            assertEquals(Checkpoint.FORMAT_VERSION, m.get("format_version").intValue());
            assertEquals(100, m.get("step").longValue());
            assertEquals(1.25, m.get("metrics").get("loss").doubleValue());
            assertEquals("zhyper", m.get("spec").get("name").asText());
            Instant.parse(m.get("created_at").asText()); // ISO-8601
            assertTrue(m.get("created_at").asText().endsWith("Z"));
            for (Map.Entry<String, List<TensorData>> e : ts.entrySet()) {
                JsonNode fe = m.get("files").get(e.getKey());
                Path f = dir.resolve(e.getKey());
                assertEquals(Sha256.ofFile(f), fe.get("sha256").asText());
                assertEquals(Files.size(f), fe.get("bytes").longValue());
                SafeTensorsFile sf = c.file(e.getKey());
                assertEquals(e.getValue().size(), sf.names().size());
                for (TensorData t : e.getValue()) {
                    assertEquals(t.dtype(), sf.info(t.name()).dtype());
                    assertArrayEquals(t.shape(), sf.info(t.name()).shape());
                    assertArrayEquals(bytes(t.data()), bytes(sf.data(t.name())));
                }
            }
            // generated id: <dir name>-<12 hex of sha256 of the files section>
            String expectedId = "step-100-" + Sha256.ofBytes(JSON.writeValueAsBytes(m.get("files"))).substring(0, 12);
            assertEquals(expectedId, c.id());
            assertEquals(Sha256.ofBytes(Files.readAllBytes(dir.resolve(Checkpoint.MANIFEST))), c.fingerprint());
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> c.file("nope.safetensors"));
            assertTrue(e.getMessage().contains("nope.safetensors"), e.getMessage());
            // manifest() is a copy
            c.manifest().put("step", 5);
            assertEquals(100, c.manifest().get("step").longValue());
        }
        assertNoHiddenLeftovers();
    }

    @Test
    void callerSuppliedIdAndEmptyBody() throws IOException {
        ObjectNode b = body(3);
        b.put("checkpoint_id", "run7-step3");
        Path d = Checkpoint.write(root.resolve("a"), tensors(1f), b, false);
        try (Checkpoint c = Checkpoint.open(d)) {
            assertEquals("run7-step3", c.id());
        }
        Path d2 = Checkpoint.write(root.resolve("b"), Map.of(), null, false);
        try (Checkpoint c = Checkpoint.open(d2)) {
            assertTrue(c.files().isEmpty());
            assertTrue(c.id().startsWith("b-"));
        }
    }

    @Test
    void sameContentsSameIdDifferentFingerprintAcrossWrites() throws IOException {
        Path a = Checkpoint.write(root.resolve("x"), tensors(1f), body(1), false);
        String id;
        String fp;
        try (Checkpoint c = Checkpoint.open(a)) {
            id = c.id();
            fp = c.fingerprint();
        }
        try (Checkpoint c = Checkpoint.open(a)) {
            assertEquals(fp, c.fingerprint());
        }
        Checkpoint.write(a, tensors(2f), body(1), true);
        try (Checkpoint c = Checkpoint.open(a)) {
            assertNotEquals(id, c.id());
            assertNotEquals(fp, c.fingerprint());
        }
    }

    @Test
    void refusesMissingManifest() throws IOException {
        Path d = Checkpoint.write(root.resolve("c"), tensors(1f), body(1), false);
        Files.delete(d.resolve(Checkpoint.MANIFEST));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Checkpoint.open(d));
        assertTrue(e.getMessage().contains(d.toString()) && e.getMessage().contains("manifest.json"), e.getMessage());
    }

    @Test
    void refusesMissingDirectory() {
        Path d = root.resolve("nothing-here");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Checkpoint.open(d));
        assertTrue(e.getMessage().contains(d.toString()), e.getMessage());
    }

    @Test
    void refusesManifestNotJson() throws IOException {
        Path d = Checkpoint.write(root.resolve("c"), tensors(1f), body(1), false);
        Files.writeString(d.resolve(Checkpoint.MANIFEST), "{\"format_version\": 1, oops");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Checkpoint.open(d));
        assertTrue(e.getMessage().contains("manifest.json") && e.getMessage().contains("not valid JSON"), e.getMessage());

        Files.writeString(d.resolve(Checkpoint.MANIFEST), "[1, 2]");
        e = assertThrows(ModelFormatException.class, () -> Checkpoint.open(d));
        assertTrue(e.getMessage().contains("manifest.json") && e.getMessage().contains("JSON object"), e.getMessage());
    }

    @Test
    void refusesUnsupportedFormatVersion() throws IOException {
        Path d = Checkpoint.write(root.resolve("c"), tensors(1f), body(1), false);
        editManifest(d, m -> m.put("format_version", 99));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Checkpoint.open(d));
        assertTrue(e.getMessage().contains("unsupported format_version 99"), e.getMessage());
        editManifest(d, m -> m.put("format_version", "1"));
        assertThrows(ModelFormatException.class, () -> Checkpoint.open(d));
        editManifest(d, m -> m.remove("format_version"));
        e = assertThrows(ModelFormatException.class, () -> Checkpoint.open(d));
        assertTrue(e.getMessage().contains("format_version"), e.getMessage());
    }

    @Test
    void refusesListedFileMissing() throws IOException {
        Path d = Checkpoint.write(root.resolve("c"), tensors(1f), body(1), false);
        Files.delete(d.resolve("optimizer.safetensors"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Checkpoint.open(d));
        assertTrue(e.getMessage().contains(d.toString()) && e.getMessage().contains("optimizer.safetensors")
                && e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void refusesFlippedByteWithShaMismatchNamingTheFile() throws IOException {
        Path d = Checkpoint.write(root.resolve("c"), tensors(1f), body(1), false);
        Path f = d.resolve("params.safetensors");
        String good = Sha256.ofFile(f);
        byte[] b = Files.readAllBytes(f);
        b[b.length - 3] ^= 0x01; // inside tensor data: still a valid safetensors file, only the hash catches it
        Files.write(f, b);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Checkpoint.open(d));
        assertEquals("sha256 mismatch for params.safetensors: manifest says " + good + ", file has "
                + Sha256.ofFile(f), e.problem());
        assertTrue(e.getMessage().startsWith(d.toString()), e.getMessage());
    }

    @Test
    void refusesTruncatedFile() throws IOException {
        Path d = Checkpoint.write(root.resolve("c"), tensors(1f), body(1), false);
        Path f = d.resolve("params.safetensors");
        long size = Files.size(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(size - 4);
        }
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Checkpoint.open(d));
        assertEquals("size mismatch for params.safetensors: manifest says " + size + " bytes, file has " + (size - 4),
                e.problem());
    }

    @Test
    void refusesExtraUnlistedSafetensorsFile() throws IOException {
        Path d = Checkpoint.write(root.resolve("c"), tensors(1f), body(1), false);
        SafeTensorsWriter.write(d.resolve("stray.safetensors"), List.of(TensorData.ofFloats("x", new float[]{1f}, 1)), null);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Checkpoint.open(d));
        assertTrue(e.getMessage().contains("stray.safetensors") && e.getMessage().contains("not listed"), e.getMessage());
        // other files (notes, logs) are fine
        Files.delete(d.resolve("stray.safetensors"));
        Files.writeString(d.resolve("notes.txt"), "hello");
        Checkpoint.open(d).close();
    }

    @Test
    void refusesListedFileThatIsNotValidSafetensors() throws IOException {
        Path d = Checkpoint.write(root.resolve("c"), tensors(1f), body(1), false);
        Path f = d.resolve("params.safetensors");
        byte[] junk = "not a safetensors file at all".getBytes(StandardCharsets.UTF_8);
        Files.write(f, junk);
        editManifest(d, m -> {
            ObjectNode fe = (ObjectNode) m.get("files").get("params.safetensors");
            fe.put("bytes", junk.length);
            fe.put("sha256", Sha256.ofBytes(junk));
        });
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Checkpoint.open(d));
        assertTrue(e.getMessage().contains("params.safetensors"), e.getMessage());
    }

    @Test
    void refusesBadFileNamesInManifest() throws IOException {
        Path d = Checkpoint.write(root.resolve("c"), tensors(1f), body(1), false);
        editManifest(d, m -> ((ObjectNode) m.get("files")).set("../evil.safetensors",
                m.get("files").get("params.safetensors").deepCopy()));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Checkpoint.open(d));
        assertTrue(e.getMessage().contains("../evil.safetensors"), e.getMessage());
    }

    @Test
    void refusesBadFileNamesOnWrite() {
        for (String bad : new String[]{"../x.safetensors", "a/b.safetensors", "x.bin", "a\\b.safetensors",
                ".hidden.safetensors", ".safetensors", "manifest.json"}) {
            Map<String, List<TensorData>> m = Map.of(bad, List.of(TensorData.ofFloats("x", new float[]{1f}, 1)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Checkpoint.write(root.resolve("c"), m, body(1), false), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
        assertFalse(Files.exists(root.resolve("c")));
        assertNoHiddenLeftovers();
    }

    @Test
    void refusesReservedManifestFields() {
        for (String k : new String[]{"format_version", "files", "created_at"}) {
            ObjectNode b = body(1);
            b.put(k, 1);
            assertThrows(IllegalArgumentException.class, () -> Checkpoint.write(root.resolve("c"), tensors(1f), b, false));
        }
        ObjectNode b = body(1);
        b.put("checkpoint_id", 5);
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.write(root.resolve("c"), tensors(1f), b, false));
    }

    @Test
    void writeOverExistingWithoutReplaceFailsAndKeepsOld() throws IOException {
        Path d = Checkpoint.write(root.resolve("c"), tensors(1f), body(1), false);
        String fp;
        try (Checkpoint c = Checkpoint.open(d)) {
            fp = c.fingerprint();
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Checkpoint.write(d, tensors(2f), body(2), false));
        assertTrue(e.getMessage().contains(d.toString()), e.getMessage());
        try (Checkpoint c = Checkpoint.open(d)) {
            assertEquals(fp, c.fingerprint());
            assertEquals(1, c.manifest().get("step").longValue());
            assertEquals(1f, c.file("params.safetensors").readFloats("w")[0]);
        }
        assertNoHiddenLeftovers();
    }

    @Test
    void writeOverExistingWithReplaceHasNewContents() throws IOException {
        Path d = Checkpoint.write(root.resolve("c"), tensors(1f), body(1), false);
        Map<String, List<TensorData>> next = Map.of("params.safetensors",
                List.of(TensorData.ofFloats("w", new float[]{9f, 8f}, 2)));
        Checkpoint.write(d, next, body(2), true);
        try (Checkpoint c = Checkpoint.open(d)) {
            assertEquals(2, c.manifest().get("step").longValue());
            assertEquals(Set.of("params.safetensors"), c.files());
            assertArrayEquals(new float[]{9f, 8f}, c.file("params.safetensors").readFloats("w", 2));
        }
        assertFalse(Files.exists(d.resolve("optimizer.safetensors")));
        assertNoHiddenLeftovers();
    }

    @Test
    void failedWriteRemovesTempDirAndKeepsOld() throws IOException {
        Path d = Checkpoint.write(root.resolve("c"), tensors(1f), body(1), false);
        // duplicate tensor names make SafeTensorsWriter fail mid-write (after another file was written)
        Map<String, List<TensorData>> bad = new LinkedHashMap<>();
        bad.put("a.safetensors", List.of(TensorData.ofFloats("x", new float[]{1f}, 1)));
        bad.put("b.safetensors", List.of(TensorData.ofFloats("x", new float[]{1f}, 1),
                TensorData.ofFloats("x", new float[]{2f}, 1)));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.write(d, bad, body(2), true));
        assertNoHiddenLeftovers();
        try (Checkpoint c = Checkpoint.open(d)) {
            assertEquals(1, c.manifest().get("step").longValue());
        }
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.write(root.resolve("fresh"), bad, body(2), false));
        assertFalse(Files.exists(root.resolve("fresh")));
        assertNoHiddenLeftovers();
    }

    @Test
    void closeIsIdempotentAndClosesFiles() throws IOException {
        Path d = Checkpoint.write(root.resolve("c"), tensors(1f), body(1), false);
        Checkpoint c = Checkpoint.open(d);
        SafeTensorsFile f = c.file("params.safetensors");
        c.close();
        c.close();
        assertThrows(IllegalStateException.class, () -> f.readFloats("w"));
        assertThrows(IllegalStateException.class, () -> c.file("params.safetensors"));
    }

    @Test
    void sha256KnownVectors() throws IOException {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Sha256.ofBytes(new byte[0]));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Sha256.ofBytes("abc".getBytes(StandardCharsets.US_ASCII)));
        byte[] big = new byte[(1 << 20) * 2 + 12345]; // spans several read buffers
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + 7);
        }
        Path f = root.resolve("big.bin");
        Files.write(f, big);
        assertEquals(Sha256.ofBytes(big), Sha256.ofFile(f));
    }

    interface Edit {
        void apply(ObjectNode manifest);
    }

    static void editManifest(Path dir, Edit edit) throws IOException {
        Path mf = dir.resolve(Checkpoint.MANIFEST);
        ObjectNode m = (ObjectNode) JSON.readTree(mf.toFile());
        edit.apply(m);
        Files.write(mf, JSON.writeValueAsBytes(m));
    }

    private void assertNoHiddenLeftovers() {
        try (Stream<Path> s = Files.list(root)) {
            List<Path> hidden = s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
            assertTrue(hidden.isEmpty(), "leftovers: " + hidden);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
