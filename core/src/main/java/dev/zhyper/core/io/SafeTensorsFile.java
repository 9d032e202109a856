package dev.zhyper.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file, opened read-only. {@link #open} reads and validates the whole header up
 * front; tensor bytes are memory-mapped per tensor on demand (never one mapping for the whole
 * file), so files larger than 2 GiB work as long as each single tensor is below 2 GiB.
 * Thread-safe for concurrent reads.
 */
public final class SafeTensorsFile implements AutoCloseable {
    /** Largest accepted header (same order of magnitude as the reference's 100 MB limit). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    static final String METADATA_KEY = "__metadata__";

    static final ObjectMapper STRICT_JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path path;
    private final Object fileKey; // identity of the opened file, to detect replacement on reopen
    private volatile FileChannel channel;
    private final long dataStart;
    private final long fileSize;
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors; // header order
    private volatile boolean closed;

    private SafeTensorsFile(Path path, FileChannel channel, long dataStart, long fileSize,
                            Map<String, String> metadata, Map<String, TensorInfo> tensors) {
        this.path = path;
        this.fileKey = fileKey(path);
        this.channel = channel;
        this.dataStart = dataStart;
        this.fileSize = fileSize;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /**
     * Opens and validates {@code file}. Every problem (including I/O errors) is reported as a
     * {@link ModelFormatException} whose message names the file and the problem.
     */
    public static SafeTensorsFile open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            throw new ModelFormatException(file, "cannot be opened (" + e + ")", e);
        }
        try {
            SafeTensorsFile f = parse(file, ch);
            ch = null;
            return f;
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot be read (" + e + ")", e);
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }
    }

    private static SafeTensorsFile parse(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new ModelFormatException(file, "file has " + size
                    + " bytes, shorter than 8 bytes (the header length field)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long n = lenBuf.getLong(0); // unsigned u64
        if (Long.compareUnsigned(n, size - 8) > 0) {
            throw new ModelFormatException(file, "header length " + Long.toUnsignedString(n)
                    + " bytes exceeds the file size " + size);
        }
        if (n > MAX_HEADER_BYTES) {
            throw new ModelFormatException(file, "header length " + n
                    + " bytes exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
        readFully(ch, headerBuf, 8);
        String header;
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBuf.flip());
            header = cb.toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(file, "header is not valid UTF-8", e);
        }
        JsonNode root;
        try {
            root = STRICT_JSON.readTree(header);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(file, "header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file, "header is not a JSON object");
        }
        long dataStart = 8 + n;
        long dataSize = size - dataStart;

        Map<String, String> metadata = Map.of();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (METADATA_KEY.equals(name)) {
                metadata = parseMetadata(file, v);
                continue;
            }
            TensorInfo info = parseEntry(file, name, v);
            if (info.end() > dataSize) {
                throw new ModelFormatException(file, "truncated: tensor '" + name + "' ends at byte " + info.end()
                        + " but the data section has only " + dataSize + " bytes");
            }
            tensors.put(name, info);
        }
        checkOverlaps(file, tensors.values());
        return new SafeTensorsFile(file, ch, dataStart, size,
                Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(tensors));
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode v) {
        if (v.isNull()) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw new ModelFormatException(file, METADATA_KEY + " is not a JSON object");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isTextual()) {
                throw new ModelFormatException(file, METADATA_KEY + " value for '" + e.getKey()
                        + "' is not a string");
            }
            m.put(e.getKey(), e.getValue().textValue());
        }
        return m;
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode v) {
        String t = "tensor '" + name + "'";
        if (!v.isObject()) {
            throw new ModelFormatException(file, "entry '" + name + "' is not an object");
        }
        JsonNode dt = v.get("dtype");
        if (dt == null || dt.isNull()) {
            throw new ModelFormatException(file, t + " has no dtype");
        }
        DType dtype = dt.isTextual() ? DType.parse(dt.textValue()) : null;
        if (dtype == null) {
            throw new ModelFormatException(file, t + " has unknown dtype "
                    + (dt.isTextual() ? "'" + dt.textValue() + "'" : dt.toString()));
        }
        long[] shape = nonNegativeLongs(v.get("shape"));
        if (shape == null) {
            throw new ModelFormatException(file, t + ": shape must be a list of non-negative integers, got "
                    + abbreviate(v.get("shape")));
        }
        long[] offsets = nonNegativeLongs(v.get("data_offsets"));
        if (offsets == null || offsets.length != 2) {
            throw new ModelFormatException(file, t + ": data_offsets must be two non-negative integers, got "
                    + abbreviate(v.get("data_offsets")));
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new ModelFormatException(file, t + ": data_offsets begin " + begin
                    + " is greater than end " + end);
        }
        long count = elementCount(shape);
        if (count < 0) {
            throw new ModelFormatException(file, t + ": element count of shape " + Arrays.toString(shape)
                    + " overflows");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(count, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new ModelFormatException(file, t + ": byte size of shape " + Arrays.toString(shape)
                    + " with dtype " + dtype + " overflows");
        }
        if (end - begin != bytes) {
            throw new ModelFormatException(file, t + " has " + (end - begin) + " bytes in data_offsets but shape "
                    + Arrays.toString(shape) + " with dtype " + dtype + " needs " + bytes + " bytes");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** Product of dims, or -1 on overflow. A zero dimension gives 0 regardless of the others. */
    static long elementCount(long[] shape) {
        for (long d : shape) {
            if (d == 0) {
                return 0;
            }
        }
        long n = 1;
        try {
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException e) {
            return -1;
        }
        return n;
    }

    private static long[] nonNegativeLongs(JsonNode node) {
        if (node == null || !node.isArray()) {
            return null;
        }
        long[] r = new long[node.size()];
        for (int i = 0; i < r.length; i++) {
            JsonNode x = node.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToLong() || x.longValue() < 0) {
                return null;
            }
            r[i] = x.longValue();
        }
        return r;
    }

    private static String abbreviate(JsonNode n) {
        if (n == null) {
            return "nothing";
        }
        String s = n.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    private static void checkOverlaps(Path file, Iterable<TensorInfo> infos) {
        List<TensorInfo> sorted = new ArrayList<>();
        for (TensorInfo i : infos) {
            if (i.byteLength() > 0) { // empty tensors occupy no bytes and cannot overlap anything
                sorted.add(i);
            }
        }
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int k = 1; k < sorted.size(); k++) {
            TensorInfo a = sorted.get(k - 1);
            TensorInfo b = sorted.get(k);
            if (b.begin() < a.end()) {
                throw new ModelFormatException(file, "tensors '" + a.name() + "' [" + a.begin() + ", " + a.end()
                        + ") and '" + b.name() + "' [" + b.begin() + ", " + b.end() + ") overlap");
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int r = ch.read(dst, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += r;
        }
    }

    public Path path() {
        return path;
    }

    /** The {@code __metadata__} map (empty if absent); unmodifiable. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in header order; unmodifiable. */
    public Set<String> names() {
        return tensors.keySet();
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** All tensor entries in header order. */
    public Iterable<TensorInfo> infos() {
        return tensors.values();
    }

    public TensorInfo info(String name) {
        TensorInfo i = tensors.get(name);
        if (i == null) {
            throw new ModelFormatException(path, "tensor '" + name + "' is missing");
        }
        return i;
    }

    /**
     * The bytes of one tensor: a read-only, little-endian buffer with position 0 and
     * {@code remaining() == info(name).byteLength()}, memory-mapped from just that tensor's region.
     * The mapping stays valid after {@link #close()}.
     */
    public ByteBuffer data(String name) {
        TensorInfo i = info(name);
        ensureOpen();
        long len = i.byteLength();
        if (len == 0) {
            return ByteBuffer.allocate(0).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        if (len > Integer.MAX_VALUE) {
            throw new ModelFormatException(path, "tensor '" + name + "' has " + len
                    + " bytes, more than one buffer can hold (2 GiB)");
        }
        try {
            return map(dataStart + i.begin(), len).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot map tensor '" + name + "'", e);
        }
    }

    /**
     * Maps a region. FileChannel is interruptible: an interrupted reader thread closes the channel
     * for everybody. In that case the channel is reopened (after checking it is still the same file)
     * so that other threads keep working; the interrupted call itself fails.
     */
    private ByteBuffer map(long position, long len) throws IOException {
        for (int attempt = 0; ; attempt++) {
            FileChannel ch = channel;
            try {
                long now = ch.size();
                if (now < fileSize) {
                    // mapping past the end would crash the JVM with SIGBUS on access
                    throw new ModelFormatException(path, "file shrank from " + fileSize + " to " + now
                            + " bytes since it was opened");
                }
                return ch.map(FileChannel.MapMode.READ_ONLY, position, len);
            } catch (ClosedChannelException e) {
                ensureOpen();
                reopen(ch);
                if (attempt > 0 || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
            }
        }
    }

    private synchronized void reopen(FileChannel broken) throws IOException {
        if (channel != broken || closed) {
            return;
        }
        FileChannel fresh = FileChannel.open(path, StandardOpenOption.READ);
        Object key = fileKey(path);
        if (fileKey == null || !fileKey.equals(key)) {
            fresh.close();
            throw new ModelFormatException(path, "file was replaced since it was opened");
        }
        channel = fresh;
    }

    private static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** The tensor as floats; dtype must be F32, F16, BF16 or F64 (F64 is narrowed). */
    public float[] readFloats(String name) {
        TensorInfo i = info(name);
        return decodeFloats(path, i, data(name));
    }

    /** Like {@link #readFloats(String)}, after checking the shape is exactly {@code expectedShape}. */
    public float[] readFloats(String name, long... expectedShape) {
        checkShape(path, info(name), expectedShape);
        return readFloats(name);
    }

    static void checkShape(Path path, TensorInfo i, long[] expected) {
        if (!Arrays.equals(i.shape(), expected)) {
            throw new ModelFormatException(path, "tensor '" + i.name() + "' has shape "
                    + Arrays.toString(i.shape()) + ", expected " + Arrays.toString(expected));
        }
    }

    static float[] decodeFloats(Path path, TensorInfo i, ByteBuffer data) {
        if (!i.dtype().isFloating()) {
            throw new ModelFormatException(path, "tensor '" + i.name() + "' has dtype " + i.dtype()
                    + ", not a floating-point type");
        }
        long count = i.elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(path, "tensor '" + i.name() + "' has " + count
                    + " elements, too many for a float[]");
        }
        float[] out = new float[(int) count];
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (i.dtype()) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> {
                var d = b.asDoubleBuffer();
                for (int k = 0; k < out.length; k++) {
                    out[k] = (float) d.get(k);
                }
            }
            case F16 -> {
                var s = b.asShortBuffer();
                for (int k = 0; k < out.length; k++) {
                    out[k] = HalfFloats.f16ToFloat(s.get(k));
                }
            }
            case BF16 -> {
                var s = b.asShortBuffer();
                for (int k = 0; k < out.length; k++) {
                    out[k] = HalfFloats.bf16ToFloat(s.get(k));
                }
            }
            default -> throw new AssertionError(i.dtype());
        }
        return out;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(path + ": file is closed");
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": close failed", e);
        }
    }

    @Override
    public String toString() {
        return "SafeTensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }
}
