package dev.zhyper.core.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.core.io.DurableFiles;
import dev.zhyper.core.io.ModelFormatException;
import dev.zhyper.core.io.SafeTensorsFile;
import dev.zhyper.core.io.SafeTensorsWriter;
import dev.zhyper.core.io.TensorData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A checkpoint on disk: a directory holding safetensors files and {@value #MANIFEST}.
 *
 * <p>The manifest is a JSON object with the caller's fields (specs, step, metrics, ...) plus
 * {@code "format_version"}, {@code "checkpoint_id"}, {@code "created_at"} (ISO-8601 UTC) and
 * {@code "files"}: {@code {name: {"sha256": hex, "bytes": n}}} for every safetensors file.
 *
 * <p>{@link #write} is crash-safe: the directory appears under its final name only complete and
 * fsynced (see there). {@link #open} verifies everything (sizes, sha256, no unlisted safetensors
 * files, each file a valid safetensors file); every problem is a {@link ModelFormatException}
 * whose message names the checkpoint directory, the file and the problem.
 */
public final class Checkpoint implements AutoCloseable {
    public static final String MANIFEST = "manifest.json";
    public static final int FORMAT_VERSION = 1;

    static final String SUFFIX = ".safetensors";
    /** Prefix of the hidden staging directory used by {@link #write}; never a valid checkpoint. */
    static final String TEMP_PREFIX = ".tmp-";
    /** Prefix of the hidden directory an old checkpoint is moved to while being replaced. */
    static final String OLD_PREFIX = ".old-";

    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*\\.safetensors");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> RESERVED = Set.of("format_version", "files", "created_at");

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path dir;
    private final ObjectNode manifest;
    private final String fingerprint;
    private final Map<String, SafeTensorsFile> files; // sorted by name, unmodifiable
    private boolean closed;

    private Checkpoint(Path dir, ObjectNode manifest, String fingerprint, Map<String, SafeTensorsFile> files) {
        this.dir = dir;
        this.manifest = manifest;
        this.fingerprint = fingerprint;
        this.files = files;
    }

    // ------------------------------------------------------------------------------------ write

    /**
     * Writes a checkpoint atomically. Everything goes to a hidden temp dir next to {@code target}
     * (same parent, name starting with {@value #TEMP_PREFIX}); each safetensors file is fsynced, the
     * manifest is written last with the sha256 and byte size of every other file, the temp dir is
     * fsynced, then renamed ({@code ATOMIC_MOVE}) to {@code target} and the parent fsynced.
     *
     * <p>If {@code target} exists: {@link IllegalStateException} unless {@code replaceExisting}; then
     * the old directory is first renamed aside (hidden, {@value #OLD_PREFIX}...), the new one renamed
     * in, and the old one deleted. {@code target} is thus never half-written (it is briefly absent).
     * On any failure the temp dir is removed (and a moved-aside old checkpoint put back).
     *
     * @param tensorFiles  file name (matching {@code [A-Za-z0-9_][A-Za-z0-9._-]*.safetensors}) to tensors
     * @param manifestBody caller fields for the manifest (may be null); must not contain
     *                     {@code format_version}, {@code files} or {@code created_at}. An optional
     *                     string {@code checkpoint_id} is used as the id; otherwise the id is
     *                     {@code <dir name>-<first 12 hex chars of sha256 of the files section>}.
     * @return {@code target}
     */
    public static Path write(Path target, Map<String, List<TensorData>> tensorFiles, ObjectNode manifestBody,
                             boolean replaceExisting) throws IOException {
        if (tensorFiles == null) {
            throw new IllegalArgumentException("tensorFiles must not be null");
        }
        for (Map.Entry<String, List<TensorData>> e : tensorFiles.entrySet()) {
            checkFileName(e.getKey());
            if (e.getValue() == null) {
                throw new IllegalArgumentException("no tensor list for '" + e.getKey() + "'");
            }
        }
        String callerId = null;
        if (manifestBody != null) {
            for (String k : RESERVED) {
                if (manifestBody.has(k)) {
                    throw new IllegalArgumentException("manifest field '" + k + "' is set by Checkpoint.write");
                }
            }
            JsonNode id = manifestBody.get("checkpoint_id");
            if (id != null) {
                if (!id.isTextual() || id.asText().isBlank()) {
                    throw new IllegalArgumentException("manifest field 'checkpoint_id' must be a non-blank string, got "
                            + id);
                }
                callerId = id.asText();
            }
        }
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null || abs.getFileName() == null) {
            throw new IllegalArgumentException("bad checkpoint target " + target);
        }
        String name = abs.getFileName().toString();
        if (name.startsWith(".")) {
            throw new IllegalArgumentException(target + ": checkpoint directory names must not start with '.'");
        }
        if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS) && !replaceExisting) {
            throw new IllegalStateException(abs + " already exists (pass replaceExisting to overwrite it)");
        }
        Files.createDirectories(parent);

        Path tmp = parent.resolve(TEMP_PREFIX + name + "-" + DurableFiles.randomHex());
        Files.createDirectory(tmp);
        boolean moved = false;
        try {
            ObjectNode filesNode = JSON.createObjectNode();
            for (Map.Entry<String, List<TensorData>> e : new TreeMap<>(tensorFiles).entrySet()) {
                Path f = tmp.resolve(e.getKey());
                SafeTensorsWriter.write(f, e.getValue(), null); // fsyncs the file
                ObjectNode entry = filesNode.putObject(e.getKey());
                entry.put("sha256", Sha256.ofFile(f));
                entry.put("bytes", Files.size(f));
            }
            ObjectNode m = JSON.createObjectNode();
            m.put("format_version", FORMAT_VERSION);
            m.put("checkpoint_id", callerId != null ? callerId
                    : name + "-" + Sha256.ofBytes(JSON.writeValueAsBytes(filesNode)).substring(0, 12));
            m.put("created_at", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
            if (manifestBody != null) {
                Iterator<Map.Entry<String, JsonNode>> it = manifestBody.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> f = it.next();
                    if (!f.getKey().equals("checkpoint_id")) {
                        m.set(f.getKey(), f.getValue().deepCopy());
                    }
                }
            }
            m.set("files", filesNode);
            byte[] bytes = JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(m);
            DurableFiles.writeSynced(tmp.resolve(MANIFEST), bytes);
            DurableFiles.syncDirectory(tmp, true);

            if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS) && !replaceExisting) {
                throw new IllegalStateException(abs + " already exists (pass replaceExisting to overwrite it)");
            }
            DurableFiles.publishDirectory(tmp, abs, OLD_PREFIX);
            moved = true;
            return target;
        } finally {
            if (!moved) {
                try {
                    DurableFiles.deleteRecursively(tmp);
                } catch (IOException e) {
                    // already failing; the hidden temp dir is ignored by readers
                }
            }
        }
    }

    private static void checkFileName(String name) {
        if (name == null || !FILE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad checkpoint file name '" + name + "': must end with " + SUFFIX
                    + ", contain only letters, digits, '.', '_', '-' (no path separators) and not start with '.'");
        }
    }

    // ------------------------------------------------------------------------------------- open

    /**
     * Opens and verifies a checkpoint: {@value #MANIFEST} present and a JSON object, format_version
     * supported, every listed file present with matching size and sha256, no unlisted
     * {@code .safetensors} file in the directory, and each file a valid safetensors file.
     * Every problem is a {@link ModelFormatException} naming the directory (or file) and the problem.
     */
    public static Checkpoint open(Path dir) {
        Map<String, SafeTensorsFile> opened = new LinkedHashMap<>();
        boolean ok = false;
        try {
            Parsed p = readManifest(dir);
            verifyFiles(dir, p.files);
            for (String name : p.files.keySet()) {
                opened.put(name, SafeTensorsFile.open(dir.resolve(name)));
            }
            Checkpoint c = new Checkpoint(dir, p.manifest, p.fingerprint, Collections.unmodifiableMap(opened));
            ok = true;
            return c;
        } finally {
            if (!ok) {
                for (SafeTensorsFile f : opened.values()) {
                    try {
                        f.close();
                    } catch (RuntimeException ignored) {
                        // already failing
                    }
                }
            }
        }
    }

    /** A parsed and structurally checked manifest; no file contents checked yet. */
    record Parsed(ObjectNode manifest, String fingerprint, Map<String, FileEntry> files) {
    }

    record FileEntry(String sha256, long bytes) {
    }

    /** Reads {@value #MANIFEST} and checks its structure (not the files it lists). */
    static Parsed readManifest(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelFormatException(dir, Files.exists(dir) ? "is not a directory" : "checkpoint directory does not exist");
        }
        Path mf = dir.resolve(MANIFEST);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(mf);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(dir, "no " + MANIFEST + " (not a checkpoint, or an interrupted write)");
        } catch (IOException e) {
            throw new ModelFormatException(mf, "cannot be read (" + e + ")", e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(mf, "is not valid JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new ModelFormatException(mf, "cannot be parsed (" + e + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(mf, "must be a JSON object, got "
                    + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }
        ObjectNode m = (ObjectNode) root;
        JsonNode v = m.get("format_version");
        if (v == null) {
            throw new ModelFormatException(mf, "format_version is missing");
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1 || v.intValue() > FORMAT_VERSION) {
            throw new ModelFormatException(mf, "unsupported format_version " + v + " (this build reads 1.."
                    + FORMAT_VERSION + ")");
        }
        JsonNode id = m.get("checkpoint_id");
        if (id == null || !id.isTextual() || id.asText().isBlank()) {
            throw new ModelFormatException(mf, "checkpoint_id is missing or not a non-blank string");
        }
        JsonNode filesNode = m.get("files");
        if (filesNode == null || !filesNode.isObject()) {
            throw new ModelFormatException(mf, "'files' is missing or not an object");
        }
        Map<String, FileEntry> files = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = filesNode.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (!FILE_NAME.matcher(name).matches()) {
                throw new ModelFormatException(mf, "bad file name '" + name + "' in 'files'");
            }
            JsonNode entry = e.getValue();
            JsonNode sha = entry.get("sha256");
            JsonNode size = entry.get("bytes");
            if (!entry.isObject() || sha == null || !sha.isTextual() || !SHA256_HEX.matcher(sha.asText()).matches()) {
                throw new ModelFormatException(mf, "files." + name + ".sha256 is missing or not 64 lower-case hex digits");
            }
            if (size == null || !size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
                throw new ModelFormatException(mf, "files." + name + ".bytes is missing or not a non-negative integer");
            }
            files.put(name, new FileEntry(sha.asText(), size.longValue()));
        }
        return new Parsed(m, Sha256.ofBytes(bytes), Collections.unmodifiableMap(files));
    }

    private static void verifyFiles(Path dir, Map<String, FileEntry> files) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            List<String> extra = new ArrayList<>();
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!files.containsKey(n)) {
                    extra.add(n);
                }
            }
            if (!extra.isEmpty()) {
                Collections.sort(extra);
                throw new ModelFormatException(dir, "safetensors file(s) not listed in " + MANIFEST + ": "
                        + String.join(", ", extra));
            }
        } catch (IOException e) {
            throw new ModelFormatException(dir, "cannot be listed (" + e + ")", e);
        }
        for (Map.Entry<String, FileEntry> e : files.entrySet()) {
            String name = e.getKey();
            Path f = dir.resolve(name);
            if (!Files.isRegularFile(f)) {
                throw new ModelFormatException(dir, name + " is listed in " + MANIFEST + " but missing");
            }
            try {
                long size = Files.size(f);
                if (size != e.getValue().bytes()) {
                    throw new ModelFormatException(dir, "size mismatch for " + name + ": manifest says "
                            + e.getValue().bytes() + " bytes, file has " + size);
                }
                String sha = Sha256.ofFile(f);
                if (!sha.equals(e.getValue().sha256())) {
                    throw new ModelFormatException(dir, "sha256 mismatch for " + name + ": manifest says "
                            + e.getValue().sha256() + ", file has " + sha);
                }
            } catch (IOException ex) {
                throw new ModelFormatException(dir, name + " cannot be read (" + ex + ")", ex);
            }
        }
    }

    // ---------------------------------------------------------------------------------- accessors

    public Path dir() {
        return dir;
    }

    /** The manifest's {@code checkpoint_id}. */
    public String id() {
        return manifest.get("checkpoint_id").asText();
    }

    /** The whole manifest (a copy; changing it changes nothing on disk or here). */
    public ObjectNode manifest() {
        return manifest.deepCopy();
    }

    /** The safetensors file names, sorted; unmodifiable. */
    public Set<String> files() {
        return files.keySet();
    }

    public boolean has(String name) {
        return files.containsKey(name);
    }

    /** The opened file; {@link ModelFormatException} if the checkpoint has no such file. */
    public SafeTensorsFile file(String name) {
        SafeTensorsFile f = files.get(name);
        if (f == null) {
            throw new ModelFormatException(dir, "checkpoint has no file '" + name + "' (it has " + files.keySet() + ")");
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(dir + ": checkpoint is closed");
            }
        }
        return f;
    }

    /** sha256 of the manifest.json bytes: a cheap fingerprint for "is this the same checkpoint". */
    public String fingerprint() {
        return fingerprint;
    }

    /** Closes the opened safetensors files. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        for (SafeTensorsFile f : files.values()) {
            try {
                f.close();
            } catch (UncheckedIOException | IllegalStateException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "Checkpoint[" + dir + ", id=" + id() + ", files=" + files.keySet() + "]";
    }
}
