package dev.zhyper.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The weights of a Hugging Face model directory: {@code model.safetensors}, or
 * {@code model.safetensors.index.json} plus the shards it names (the index wins when both exist).
 * All shards are opened and cross-checked against the index at {@link #open}; the index's
 * {@code weight_map} is authoritative for which tensors exist (extra tensors in shards are ignored).
 */
public final class WeightSource implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path dir;
    private final Path origin; // the single file or the index file
    private final Map<String, SafeTensorsFile> byTensor; // sorted by name
    private final List<SafeTensorsFile> files;

    private WeightSource(Path dir, Path origin, Map<String, SafeTensorsFile> byTensor, List<SafeTensorsFile> files) {
        this.dir = dir;
        this.origin = origin;
        this.byTensor = Collections.unmodifiableMap(byTensor);
        this.files = List.copyOf(files);
    }

    public static WeightSource open(Path modelDir) {
        if (!Files.isDirectory(modelDir)) {
            throw new ModelFormatException(modelDir, "is not a directory");
        }
        Path index = modelDir.resolve(INDEX_FILE);
        if (Files.exists(index)) {
            return openSharded(modelDir, index);
        }
        Path single = modelDir.resolve(SINGLE_FILE);
        if (Files.exists(single)) {
            SafeTensorsFile f = SafeTensorsFile.open(single);
            Map<String, SafeTensorsFile> m = new TreeMap<>();
            for (String n : f.names()) {
                m.put(n, f);
            }
            return new WeightSource(modelDir, single, m, List.of(f));
        }
        throw new ModelFormatException(modelDir, "no weights found: neither " + INDEX_FILE + " nor "
                + SINGLE_FILE + " exists");
    }

    private static WeightSource openSharded(Path dir, Path index) {
        JsonNode root;
        try {
            root = SafeTensorsFile.STRICT_JSON.readTree(Files.readString(index));
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(index, "is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelFormatException(index, "cannot be read (" + e + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(index, "is not a JSON object");
        }
        JsonNode wm = root.get("weight_map");
        if (wm == null || !wm.isObject()) {
            throw new ModelFormatException(index, "has no \"weight_map\" object");
        }
        if (wm.isEmpty()) {
            throw new ModelFormatException(index, "\"weight_map\" is empty");
        }
        // shard name -> tensors, in first-seen order
        Map<String, List<String>> byShard = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : wm.properties()) {
            if (!e.getValue().isTextual()) {
                throw new ModelFormatException(index, "weight_map entry for tensor '" + e.getKey()
                        + "' is not a string");
            }
            byShard.computeIfAbsent(e.getValue().textValue(), k -> new ArrayList<>()).add(e.getKey());
        }
        Path base = dir.toAbsolutePath().normalize();
        Map<String, SafeTensorsFile> byTensor = new TreeMap<>();
        List<SafeTensorsFile> opened = new ArrayList<>();
        Map<Path, SafeTensorsFile> byPath = new HashMap<>();
        boolean ok = false;
        try {
            for (Map.Entry<String, List<String>> e : byShard.entrySet()) {
                String shard = e.getKey();
                Path shardPath = resolveShard(index, base, shard);
                if (!Files.isRegularFile(shardPath)) {
                    throw new ModelFormatException(index, "shard '" + shard + "' (listed for tensor '"
                            + e.getValue().get(0) + "') is missing on disk");
                }
                SafeTensorsFile f = byPath.get(shardPath);
                if (f == null) {
                    f = SafeTensorsFile.open(shardPath);
                    opened.add(f);
                    byPath.put(shardPath, f);
                }
                for (String t : e.getValue()) {
                    if (!f.contains(t)) {
                        throw new ModelFormatException(index, "tensor '" + t + "' is listed for shard '" + shard
                                + "' but that shard does not contain it");
                    }
                    byTensor.put(t, f);
                }
            }
            ok = true;
            return new WeightSource(dir, index, byTensor, opened);
        } finally {
            if (!ok) {
                for (SafeTensorsFile f : opened) {
                    try {
                        f.close();
                    } catch (RuntimeException ignored) {
                        // already failing
                    }
                }
            }
        }
    }

    /** Resolves a shard name, which must be a relative path that stays inside the model directory. */
    private static Path resolveShard(Path index, Path base, String shard) {
        Path p;
        try {
            p = Path.of(shard);
        } catch (InvalidPathException e) {
            throw new ModelFormatException(index, "shard name '" + shard + "' is not a valid path", e);
        }
        if (shard.isEmpty() || p.isAbsolute() || p.getRoot() != null || shard.startsWith("/") || shard.startsWith("\\")) {
            throw new ModelFormatException(index, "shard name '" + shard
                    + "' must be a relative path inside the model directory");
        }
        Path resolved = base.resolve(p).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw new ModelFormatException(index, "shard name '" + shard + "' escapes the model directory");
        }
        return resolved;
    }

    /** The model directory. */
    public Path directory() {
        return dir;
    }

    /** Tensor names, sorted; unmodifiable. */
    public Set<String> names() {
        return byTensor.keySet();
    }

    public boolean contains(String name) {
        return byTensor.containsKey(name);
    }

    private SafeTensorsFile file(String name) {
        SafeTensorsFile f = byTensor.get(name);
        if (f == null) {
            throw new ModelFormatException(origin, "tensor '" + name + "' is missing");
        }
        return f;
    }

    public TensorInfo info(String name) {
        return file(name).info(name);
    }

    /** The file that holds this tensor. */
    public Path fileOf(String name) {
        return file(name).path();
    }

    public ByteBuffer data(String name) {
        return file(name).data(name);
    }

    public float[] readFloats(String name) {
        return file(name).readFloats(name);
    }

    public float[] readFloats(String name, long... expectedShape) {
        return file(name).readFloats(name, expectedShape);
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (SafeTensorsFile f : files) {
            try {
                f.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "WeightSource[" + origin + ", " + byTensor.size() + " tensors in " + files.size() + " file(s)]";
    }
}
