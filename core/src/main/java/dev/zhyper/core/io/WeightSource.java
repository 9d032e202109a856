package dev.zhyper.core.io;

// TEMPORARY minimal stand-in, replaced by the full implementation from branch helper-io.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

public final class WeightSource implements AutoCloseable {
    private final Map<String, float[]> data = new HashMap<>();
    private final Map<String, long[]> shapes = new HashMap<>();
    private final Path dir;

    private WeightSource(Path dir) { this.dir = dir; }

    public static WeightSource open(Path modelDir) {
        WeightSource w = new WeightSource(modelDir);
        try {
            Path idx = modelDir.resolve("model.safetensors.index.json");
            List<Path> files = new ArrayList<>();
            if (Files.exists(idx)) {
                JsonNode n = new ObjectMapper().readTree(idx.toFile());
                Set<String> s = new TreeSet<>();
                n.get("weight_map").fields().forEachRemaining(e -> s.add(e.getValue().asText()));
                for (String f : s) files.add(modelDir.resolve(f));
            } else {
                files.add(modelDir.resolve("model.safetensors"));
            }
            for (Path f : files) w.read(f);
        } catch (IOException e) {
            throw new ModelFormatException(modelDir, e.toString(), e);
        }
        return w;
    }

    private void read(Path f) throws IOException {
        byte[] all = Files.readAllBytes(f);
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong();
        JsonNode h = new ObjectMapper().readTree(new String(all, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8));
        int base = 8 + (int) n;
        for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("__metadata__")) continue;
            String dt = e.getValue().get("dtype").asText();
            JsonNode sh = e.getValue().get("shape");
            long[] shape = new long[sh.size()];
            long cnt = 1;
            for (int i = 0; i < shape.length; i++) { shape[i] = sh.get(i).asLong(); cnt *= shape[i]; }
            int begin = e.getValue().get("data_offsets").get(0).asInt();
            float[] v = new float[(int) cnt];
            for (int i = 0; i < cnt; i++) {
                switch (dt) {
                    case "F32" -> v[i] = bb.getFloat(base + begin + 4 * i);
                    case "BF16" -> v[i] = Float.intBitsToFloat((bb.getShort(base + begin + 2 * i) & 0xffff) << 16);
                    default -> throw new IOException("dtype " + dt + " (temp)");
                }
            }
            data.put(e.getKey(), v);
            shapes.put(e.getKey(), shape);
        }
    }

    public float[] readFloats(String name, long... expectedShape) {
        float[] v = data.get(name);
        if (v == null) throw new ModelFormatException(dir, "tensor '" + name + "' is missing");
        if (!Arrays.equals(shapes.get(name), expectedShape)) {
            throw new ModelFormatException(dir, "tensor '" + name + "' has shape " + Arrays.toString(shapes.get(name))
                    + ", expected " + Arrays.toString(expectedShape));
        }
        return v;
    }

    @Override public void close() {}
}
