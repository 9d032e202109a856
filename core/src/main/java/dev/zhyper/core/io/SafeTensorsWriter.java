package dev.zhyper.core.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes safetensors files. Tensors are laid out contiguously in the given order; the JSON header
 * (with {@code __metadata__} first when non-empty) is padded with spaces to a multiple of 8 bytes,
 * as the reference implementation does. The file is written to a temporary file in the target
 * directory, fsynced, then atomically renamed over {@code file}; a crash never leaves a partial file.
 */
public final class SafeTensorsWriter {
    private SafeTensorsWriter() {
    }

    public static void write(Path file, List<TensorData> tensors, Map<String, String> metadata) throws IOException {
        byte[] header = header(tensors, metadata);
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                for (TensorData t : tensors) {
                    writeFully(ch, t.data());
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(target + ": the file system does not support atomic rename", e);
            }
            done = true;
            syncDirectory(dir);
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** The header JSON bytes, already padded with spaces to a multiple of 8. */
    static byte[] header(List<TensorData> tensors, Map<String, String> metadata) throws IOException {
        Set<String> seen = new HashSet<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = SafeTensorsFile.STRICT_JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            if (metadata != null && !metadata.isEmpty()) {
                g.writeObjectFieldStart(SafeTensorsFile.METADATA_KEY);
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    if (e.getKey() == null || e.getValue() == null) {
                        throw new IllegalArgumentException("metadata keys and values must not be null");
                    }
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (TensorData t : tensors) {
                if (SafeTensorsFile.METADATA_KEY.equals(t.name())) {
                    throw new IllegalArgumentException("'" + SafeTensorsFile.METADATA_KEY + "' is not a valid tensor name");
                }
                if (!seen.add(t.name())) {
                    throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
                }
                long end = Math.addExact(offset, t.data().remaining());
                g.writeObjectFieldStart(t.name());
                g.writeStringField("dtype", t.dtype().name());
                g.writeArrayFieldStart("shape");
                for (long d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(end);
                g.writeEndArray();
                g.writeEndObject();
                offset = end;
            }
            g.writeEndObject();
        }
        if (out.size() > SafeTensorsFile.MAX_HEADER_BYTES - 8) {
            throw new IllegalArgumentException("header of " + out.size() + " bytes exceeds the limit of "
                    + SafeTensorsFile.MAX_HEADER_BYTES + " bytes");
        }
        int pad = (8 - out.size() % 8) % 8;
        for (int i = 0; i < pad; i++) {
            out.write(' ');
        }
        return out.toByteArray();
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void syncDirectory(Path dir) {
        // makes the rename durable on POSIX; not supported everywhere (e.g. Windows), so best effort
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
    }
}
