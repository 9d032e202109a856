package dev.zhyper.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-written malformed files: every one must give a ModelFormatException naming the file and the problem. */
class SafeTensorsMalformedTest {
    @TempDir
    Path dir;

    private int counter;

    /** A file with the given header-length field, header bytes and data section size (zeros). */
    private Path raw(long headerLength, byte[] header, int dataBytes) throws IOException {
        Path p = dir.resolve("bad" + (counter++) + ".safetensors");
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(header);
        Files.write(p, b.array());
        return p;
    }

    private Path file(String headerJson, int dataBytes) throws IOException {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        return raw(h.length, h, dataBytes);
    }

    private static void expect(Path p, String phrase) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafeTensorsFile.open(p).close());
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(phrase), () -> "expected '" + phrase + "' in: " + e.getMessage());
        assertEquals(p, e.file());
        assertTrue(e.problem().contains(phrase));
    }

    private void expectHeader(String json, int dataBytes, String phrase) throws IOException {
        expect(file(json, dataBytes), phrase);
    }

    private static String entry(String name, String dtype, String shape, String offsets) {
        return "{\"" + name + "\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
    }

    @Test
    void tooShort() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[5]);
        expect(p, "file has 5 bytes, shorter than 8 bytes");
        Path empty = dir.resolve("empty.safetensors");
        Files.write(empty, new byte[0]);
        expect(empty, "shorter than 8 bytes");
    }

    @Test
    void missingFile() {
        expect(dir.resolve("nope.safetensors"), "cannot be opened");
    }

    @Test
    void headerLengthBeyondFile() throws IOException {
        Path p = raw(-1L, "{}".getBytes(StandardCharsets.UTF_8), 10);
        expect(p, "header length 18446744073709551615 bytes exceeds the file size 20");
        expect(raw(13, "{}".getBytes(StandardCharsets.UTF_8), 2), "header length 13 bytes exceeds the file size 12");
        expect(raw(Long.MAX_VALUE, new byte[0], 0), "header length 9223372036854775807 bytes exceeds the file size 8");
    }

    @Test
    void headerLengthAboveLimit() throws IOException {
        // sparse file just big enough that only the 100 MiB limit catches it
        Path p = dir.resolve("huge.safetensors");
        long n = SafeTensorsFile.MAX_HEADER_BYTES + 1;
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(8 + n + 16);
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array());
        }
        expect(p, "header length 104857601 bytes exceeds the limit of 104857600 bytes");
    }

    @Test
    void headerNotUtf8() throws IOException {
        byte[] h = {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}'};
        expect(raw(h.length, h, 0), "header is not valid UTF-8");
    }

    @Test
    void headerNotJson() throws IOException {
        expectHeader("{\"a\": ", 0, "header is not valid JSON");
        expectHeader("not json", 0, "header is not valid JSON");
        expectHeader("{} {}", 0, "header is not valid JSON");                 // trailing tokens
        expectHeader("{\"a\":1,\"a\":2}", 0, "header is not valid JSON");      // duplicate key
        expectHeader("", 0, "header is not a JSON object");
        expectHeader("        ", 0, "header is not a JSON object");
        expectHeader("[]", 0, "header is not a JSON object");
        expectHeader("\"x\"", 0, "header is not a JSON object");
        expectHeader("{\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 0, "header is not valid JSON");
    }

    @Test
    void entryNotAnObject() throws IOException {
        expectHeader("{\"w\":3}", 0, "entry 'w' is not an object");
        expectHeader("{\"w\":[1,2]}", 0, "entry 'w' is not an object");
    }

    @Test
    void badDtype() throws IOException {
        expectHeader("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'w' has no dtype");
        expectHeader(entry("w", "\"F8_E4M3\"", "[1]", "[0,1]"), 1, "tensor 'w' has unknown dtype 'F8_E4M3'");
        expectHeader(entry("w", "\"f32\"", "[1]", "[0,4]"), 4, "tensor 'w' has unknown dtype 'f32'");
        expectHeader(entry("w", "4", "[1]", "[0,4]"), 4, "tensor 'w' has unknown dtype 4");
    }

    @Test
    void badShape() throws IOException {
        String phrase = "tensor 'w': shape must be a list of non-negative integers";
        expectHeader("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, phrase);
        expectHeader(entry("w", "\"F32\"", "3", "[0,12]"), 12, phrase);
        expectHeader(entry("w", "\"F32\"", "[-1]", "[0,4]"), 4, phrase);
        expectHeader(entry("w", "\"F32\"", "[1.5]", "[0,4]"), 4, phrase);
        expectHeader(entry("w", "\"F32\"", "[\"2\"]", "[0,8]"), 8, phrase);
        expectHeader(entry("w", "\"F32\"", "[null]", "[0,4]"), 4, phrase);
        expectHeader(entry("w", "\"F32\"", "[18446744073709551616]", "[0,4]"), 4, phrase);
    }

    @Test
    void badDataOffsets() throws IOException {
        String phrase = "tensor 'w': data_offsets must be two non-negative integers";
        expectHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, phrase);
        expectHeader(entry("w", "\"F32\"", "[1]", "[4]"), 4, phrase);
        expectHeader(entry("w", "\"F32\"", "[1]", "[0,4,8]"), 8, phrase);
        expectHeader(entry("w", "\"F32\"", "[1]", "[-4,0]"), 4, phrase);
        expectHeader(entry("w", "\"F32\"", "[1]", "[0,4.0]"), 4, phrase);
        expectHeader(entry("w", "\"F32\"", "[1]", "{\"begin\":0}"), 4, phrase);
        expectHeader(entry("w", "\"F32\"", "[1]", "[8,4]"), 8, "tensor 'w': data_offsets begin 8 is greater than end 4");
    }

    @Test
    void byteLengthMismatch() throws IOException {
        expectHeader(entry("w", "\"F32\"", "[2]", "[0,4]"), 8,
                "tensor 'w' has 4 bytes in data_offsets but shape [2] with dtype F32 needs 8 bytes");
        expectHeader(entry("w", "\"BF16\"", "[2,3]", "[0,24]"), 24,
                "tensor 'w' has 24 bytes in data_offsets but shape [2, 3] with dtype BF16 needs 12 bytes");
    }

    @Test
    void truncated() throws IOException {
        expectHeader(entry("w", "\"F32\"", "[2]", "[0,8]"), 4,
                "truncated: tensor 'w' ends at byte 8 but the data section has only 4 bytes");
        expectHeader(entry("w", "\"I64\"", "[1]", "[16,24]"), 20,
                "truncated: tensor 'w' ends at byte 24 but the data section has only 20 bytes");
    }

    @Test
    void overlap() throws IOException {
        String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        expectHeader(two, 12, "tensors 'a' [0, 8) and 'b' [4, 12) overlap");
        String same = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        expectHeader(same, 4, "overlap");
        String contained = "{\"big\":{\"dtype\":\"U8\",\"shape\":[16],\"data_offsets\":[0,16]},"
                + "\"x\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[10,12]},"
                + "\"y\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[20,22]}}";
        expectHeader(contained, 22, "tensors 'big' [0, 16) and 'x' [10, 12) overlap");
    }

    @Test
    void gapsAndTrailingBytesAreAccepted() throws IOException {
        String gap = "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[6,8]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[1,1]}}";
        try (SafeTensorsFile f = SafeTensorsFile.open(file(gap, 12))) {
            assertEquals(2, f.data("a").remaining());
            assertEquals(0, f.readFloats("e", 0, 3).length);
        }
    }

    @Test
    void elementCountOverflow() throws IOException {
        expectHeader(entry("w", "\"F32\"", "[4294967296,4294967296,4]", "[0,4]"), 4,
                "tensor 'w': element count of shape [4294967296, 4294967296, 4] overflows");
        expectHeader(entry("w", "\"F32\"", "[4611686018427387904]", "[0,4]"), 4,
                "tensor 'w': byte size of shape [4611686018427387904] with dtype F32 overflows");
        // a zero dimension makes the product 0 even when the others are huge
        try (SafeTensorsFile f = SafeTensorsFile.open(file(
                entry("w", "\"F32\"", "[9223372036854775807,0,9223372036854775807]", "[0,0]"), 0))) {
            assertEquals(0, f.info("w").elementCount());
        }
    }

    @Test
    void badMetadata() throws IOException {
        expectHeader("{\"__metadata__\":{\"k\":1}}", 0, "__metadata__ value for 'k' is not a string");
        expectHeader("{\"__metadata__\":[\"k\"]}", 0, "__metadata__ is not a JSON object");
    }

    @Test
    void validHandWrittenFileWithPaddingAndMetadata() throws IOException {
        String h = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
        byte[] json = (h + "   ").getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).putShort((short) 0x3c00).putShort((short) 0xc000);
        Path p = dir.resolve("ok.safetensors");
        Files.write(p, b.array());
        try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
            assertEquals("pt", f.metadata().get("format"));
            float[] v = f.readFloats("w", 2);
            assertEquals(1f, v[0]);
            assertEquals(-2f, v[1]);
        }
    }
}
