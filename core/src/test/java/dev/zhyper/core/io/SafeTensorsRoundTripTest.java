package dev.zhyper.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsRoundTripTest {
    @TempDir
    Path dir;

    private static final float[] VALUES = {1f, -2f, 0x1p-20f, 3.25f, -0f, 0x1p-10f}; // exact in F16 (incl. a subnormal) and BF16

    @Test
    void roundTripAllDtypesWithMetadata() throws IOException {
        Path file = dir.resolve("m.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "ünïcødé ✓");
        List<TensorData> ts = List.of(
                TensorData.ofFloats("w.f32", VALUES, 2, 3),
                TensorData.ofFloats("w.f16", DType.F16, VALUES, 3, 2),
                TensorData.ofFloats("w.bf16", DType.BF16, VALUES, 6),
                TensorData.ofFloats("w.f64", DType.F64, VALUES, 1, 6),
                TensorData.ofLongs("ids", new long[]{Long.MIN_VALUE, -1, 0, 42, Long.MAX_VALUE}, 5),
                TensorData.ofFloats("scalar", new float[]{7f}),
                TensorData.ofFloats("empty", new float[0], 0, 4));
        SafeTensorsWriter.write(file, ts, meta);

        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertEquals(meta, f.metadata());
            assertEquals(List.of("w.f32", "w.f16", "w.bf16", "w.f64", "ids", "scalar", "empty"),
                    new ArrayList<>(f.names()));
            assertArrayEquals(VALUES, f.readFloats("w.f32", 2, 3));
            assertArrayEquals(VALUES, f.readFloats("w.f16")); // all exactly representable in half
            assertArrayEquals(VALUES, f.readFloats("w.bf16", 6));
            assertArrayEquals(VALUES, f.readFloats("w.f64", 1, 6));
            assertArrayEquals(new float[]{7f}, f.readFloats("scalar"));
            assertArrayEquals(new float[0], f.readFloats("empty", 0, 4));

            TensorInfo ids = f.info("ids");
            assertEquals(DType.I64, ids.dtype());
            assertArrayEquals(new long[]{5}, ids.shape());
            assertEquals(5, ids.elementCount());
            assertEquals(40, ids.byteLength());
            ByteBuffer b = f.data("ids");
            assertTrue(b.isReadOnly());
            assertEquals(ByteOrder.LITTLE_ENDIAN, b.order());
            assertEquals(40, b.remaining());
            assertEquals(Long.MIN_VALUE, b.getLong(0));
            assertEquals(-1, b.getLong(8));
            assertEquals(42, b.getLong(24));
            assertEquals(Long.MAX_VALUE, b.getLong(32));

            assertArrayEquals(new int[]{3, 2}, f.info("w.f16").intShape());
            assertEquals(0, f.info("scalar").rank());
            assertEquals(1, f.info("scalar").elementCount());
            assertEquals(0, f.info("empty").elementCount());
            assertEquals(0, f.data("empty").remaining());
            assertTrue(f.contains("ids"));
            assertFalse(f.contains("nope"));
        }
    }

    @Test
    void halfPrecisionRoundsOnWrite() throws IOException {
        Path file = dir.resolve("r.safetensors");
        float[] in = {0.1f, 1f + 0x1p-11f, 70000f, Float.NaN, Float.NEGATIVE_INFINITY, 0x1p-24f};
        SafeTensorsWriter.write(file, List.of(
                TensorData.ofFloats("h", DType.F16, in, 6),
                TensorData.ofFloats("b", DType.BF16, in, 6)), null);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            float[] h = f.readFloats("h");
            assertEquals(HalfFloats.f16ToFloat((short) 0x2e66), h[0]);
            assertEquals(1f, h[1]);
            assertEquals(Float.POSITIVE_INFINITY, h[2]);
            assertTrue(Float.isNaN(h[3]));
            assertEquals(Float.NEGATIVE_INFINITY, h[4]);
            assertEquals(0x1p-24f, h[5]);
            float[] b = f.readFloats("b");
            assertEquals(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(0.1f)), b[0]);
            assertEquals(0.1f, b[0], 0.001f);
            assertEquals(70144f, b[2]);
            assertTrue(Float.isNaN(b[3]));
            assertEquals(0x1p-24f, b[5]);
            assertTrue(f.metadata().isEmpty());
        }
    }

    @Test
    void writerOutputIsPaddedOrderedAndContiguous() throws IOException {
        Path file = dir.resolve("o.safetensors");
        List<TensorData> ts = List.of(
                TensorData.ofFloats("zeta", new float[]{1, 2, 3}, 3),
                TensorData.ofLongs("alpha", new long[]{9}, 1, 1),
                TensorData.ofFloats("mid", DType.BF16, new float[]{1, 2, 3, 4, 5}, 5));
        for (int extra = 0; extra < 9; extra++) { // vary metadata length to hit every padding amount
            SafeTensorsWriter.write(file, ts, Map.of("k", "x".repeat(extra)));
            byte[] bytes = Files.readAllBytes(file);
            long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertEquals(0, n % 8, "header length " + n);
            String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
            assertTrue(header.startsWith("{\"__metadata__\""), header);
            assertTrue(header.substring(header.stripTrailing().length()).chars().allMatch(c -> c == ' '));
            assertEquals(8 + n + 12 + 8 + 10, bytes.length);
            try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
                assertEquals(List.of("zeta", "alpha", "mid"), new ArrayList<>(f.names()));
                long expectedBegin = 0;
                for (String name : f.names()) {
                    TensorInfo i = f.info(name);
                    assertEquals(expectedBegin, i.begin(), name);
                    expectedBegin = i.end();
                }
                assertArrayEquals(new float[]{1, 2, 3}, f.readFloats("zeta"));
                assertEquals(9, f.data("alpha").getLong(0));
                assertArrayEquals(new float[]{1, 2, 3, 4, 5}, f.readFloats("mid", 5));
                assertEquals("x".repeat(extra), f.metadata().get("k"));
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList(), "no temp files left behind");
        }
    }

    @Test
    void writerReplacesExistingFileAtomically() throws IOException {
        Path file = dir.resolve("x.safetensors");
        SafeTensorsWriter.write(file, List.of(TensorData.ofFloats("a", new float[]{1}, 1)), null);
        SafeTensorsWriter.write(file, List.of(TensorData.ofFloats("b", new float[]{2, 3}, 2)), Map.of());
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertEquals(List.of("b"), new ArrayList<>(f.names()));
        }
    }

    @Test
    void writerRejectsBadInput() {
        Path file = dir.resolve("bad.safetensors");
        TensorData a = TensorData.ofFloats("a", new float[]{1}, 1);
        assertThrows(IllegalArgumentException.class, () -> SafeTensorsWriter.write(file, List.of(a, a), null));
        assertThrows(IllegalArgumentException.class, () -> SafeTensorsWriter.write(file,
                List.of(TensorData.ofFloats("__metadata__", new float[]{1}, 1)), null));
        assertFalse(Files.exists(file));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TensorData.ofFloats("w", new float[]{1, 2, 3}, 2, 2));
        assertTrue(e.getMessage().contains("[2, 2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TensorData.ofFloats("w", DType.I32, new float[]{1}, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new TensorData("w", DType.F32, new long[]{2}, ByteBuffer.allocate(4)));
        assertThrows(IllegalArgumentException.class,
                () -> new TensorData("w", DType.F32, new long[]{-1}, ByteBuffer.allocate(0)));
    }

    @Test
    void tensorDataIsImmutableView() {
        float[] v = {1, 2};
        long[] shape = {2};
        TensorData t = TensorData.ofFloats("t", v, shape);
        shape[0] = 99;
        t.shape()[0] = 77;
        assertArrayEquals(new long[]{2}, t.shape());
        ByteBuffer d = t.data();
        d.position(8);
        assertEquals(8, t.data().remaining());
        assertEquals(ByteOrder.LITTLE_ENDIAN, t.data().order());
        assertEquals(2f, t.data().getFloat(4));
    }

    @Test
    void readFloatsShapeMismatchAndWrongDtype() throws IOException {
        Path file = dir.resolve("s.safetensors");
        SafeTensorsWriter.write(file, List.of(TensorData.ofFloats("w", new float[6], 2, 3),
                TensorData.ofLongs("ids", new long[]{1}, 1)), null);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> f.readFloats("w", 3, 2));
            assertEquals(file + ": tensor 'w' has shape [2, 3], expected [3, 2]", e.getMessage());
            assertEquals(file, e.file());
            assertEquals("tensor 'w' has shape [2, 3], expected [3, 2]", e.problem());
            e = assertThrows(ModelFormatException.class, () -> f.readFloats("w", 6));
            assertTrue(e.getMessage().contains("expected [6]"));
            e = assertThrows(ModelFormatException.class, () -> f.readFloats("ids"));
            assertTrue(e.getMessage().contains("tensor 'ids' has dtype I64, not a floating-point type"), e.getMessage());
            e = assertThrows(ModelFormatException.class, () -> f.info("nope"));
            assertEquals(file + ": tensor 'nope' is missing", e.getMessage());
            assertThrows(ModelFormatException.class, () -> f.data("nope"));
        }
    }

    @Test
    void dataStaysValidAfterCloseButNewAccessFails() throws IOException {
        Path file = dir.resolve("c.safetensors");
        SafeTensorsWriter.write(file, List.of(TensorData.ofFloats("w", new float[]{5, 6}, 2)), null);
        SafeTensorsFile f = SafeTensorsFile.open(file);
        ByteBuffer b = f.data("w");
        f.close();
        assertEquals(6f, b.getFloat(4));
        assertThrows(IllegalStateException.class, () -> f.data("w"));
    }

    @Test
    void interruptedReaderDoesNotBreakTheFileForOthers() throws Exception {
        Path file = dir.resolve("i.safetensors");
        SafeTensorsWriter.write(file, List.of(TensorData.ofFloats("w", new float[]{5, 6}, 2)), null);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Thread.currentThread().interrupt();
            try {
                assertThrows(RuntimeException.class, () -> f.data("w"));
            } finally {
                Thread.interrupted(); // clear the flag
            }
            assertArrayEquals(new float[]{5, 6}, f.readFloats("w", 2));
            // another thread's interrupt closes the shared channel; it is reopened for the others
            Thread t = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    f.data("w");
                } catch (RuntimeException expected) {
                    // the interrupted thread's own call fails
                }
            });
            t.start();
            t.join();
            assertArrayEquals(new float[]{5, 6}, f.readFloats("w"));
            // a file replaced on disk is detected on reopen rather than read with the old layout
            SafeTensorsWriter.write(file, List.of(TensorData.ofFloats("other", new float[]{1}, 1)), null);
            Thread t2 = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    f.data("w");
                } catch (RuntimeException expected) {
                    // fails
                }
            });
            t2.start();
            t2.join();
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> f.data("w"));
            assertTrue(e.getMessage().contains("file was replaced since it was opened"), e.getMessage());
        }
    }

    @Test
    void dtypeParse() {
        assertEquals(DType.BF16, DType.parse("BF16"));
        assertEquals(DType.BOOL, DType.parse("BOOL"));
        assertEquals(null, DType.parse("bf16"));
        assertEquals(null, DType.parse("F8_E4M3"));
        assertEquals(null, DType.parse(null));
        assertEquals(2, DType.F16.byteSize());
        assertEquals(8, DType.I64.byteSize());
        assertTrue(DType.BF16.isFloating());
        assertFalse(DType.I8.isFloating());
    }
}
