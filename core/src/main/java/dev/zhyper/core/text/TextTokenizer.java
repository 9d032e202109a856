package dev.zhyper.core.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A Hugging Face tokenizer ({@code tokenizer.json}, run by the DJL-bundled native
 * {@code tokenizers} library) plus the special-token facts of its model directory.
 *
 * <p>The DJL tokenizer is configured to never truncate or pad (truncation and padding off,
 * {@code maxLength}/{@code modelMaxLength} = {@link Integer#MAX_VALUE}) and to skip DJL's Python
 * style "clean up tokenization spaces" post-processing of decoded text, so {@link #decode} returns
 * exactly what the tokenizer.json decoder produces.
 *
 * <h2>Special tokens</h2>
 * BOS/EOS/PAD ids are resolved, in this order, from
 * <ol>
 *   <li>{@code tokenizer_config.json}: {@code bos_token}/{@code eos_token}/{@code pad_token} (plain
 *       strings or {@code {"content": ...}} objects) looked up in the vocabulary;</li>
 *   <li>{@code config.json}: {@code bos_token_id}/{@code eos_token_id}/{@code pad_token_id} (an int,
 *       or the first element of a list);</li>
 *   <li>conventional token strings present in the vocabulary: BOS {@code <s>, <|begin_of_text|>,
 *       <bos>, <|startoftext|>}; EOS {@code </s>, <|endoftext|>, <|eot_id|>, <|end_of_text|>,
 *       <eos>, <|im_end|>}; PAD {@code <pad>, [PAD], <|pad|>}.</li>
 * </ol>
 * {@link #eosIds()} additionally collects every id listed as {@code eos_token_id} in
 * {@code config.json} and {@code generation_config.json} (Llama 3.x lists several).
 *
 * <h2>Adding special tokens</h2>
 * With {@code encode(text, true)}: when {@code tokenizer_config.json} sets {@code add_bos_token}
 * and/or {@code add_eos_token}, those flags decide (an absent one counts as {@code false}) and the
 * tokenizer.json post-processor is bypassed — this mirrors how {@code transformers} rebuilds the
 * post-processor of Llama/Gemma fast tokenizers from these flags. Otherwise the tokenizer.json
 * post-processor (if any) decides. {@code encode(text, false)} never adds anything, but special
 * tokens written literally in the text (e.g. {@code "<s>"}) still encode to their ids.
 *
 * <p>Thread-safe: encode/decode may run concurrently (the native tokenizer is immutable);
 * {@link #close()} waits for running calls and later calls throw {@link IllegalStateException}.
 */
public final class TextTokenizer implements AutoCloseable {

    private static final JsonFactory JSON_FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final List<String> BOS_CANDIDATES =
            List.of("<s>", "<|begin_of_text|>", "<bos>", "<|startoftext|>");
    private static final List<String> EOS_CANDIDATES =
            List.of("</s>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>", "<eos>", "<|im_end|>");
    private static final List<String> PAD_CANDIDATES = List.of("<pad>", "[PAD]", "<|pad|>");

    private final HuggingFaceTokenizer hf;
    private final Path file;
    private final Map<String, Integer> tokenToId;
    private final Set<Integer> specialIds;
    private final int vocabSize;
    private final OptionalInt bos;
    private final OptionalInt eos;
    private final OptionalInt pad;
    private final int[] eosIds;
    private final Boolean addBos;
    private final Boolean addEos;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private TextTokenizer(HuggingFaceTokenizer hf, Path file, Vocab vocab, JsonNode tokCfg,
                          JsonNode modelCfg, JsonNode genCfg) {
        this.hf = hf;
        this.file = file;
        this.tokenToId = vocab.tokenToId;
        this.specialIds = vocab.specialIds;
        this.vocabSize = vocab.maxId + 1;
        this.bos = resolve(tokCfg, "bos_token", modelCfg, "bos_token_id", BOS_CANDIDATES);
        this.eos = resolve(tokCfg, "eos_token", modelCfg, "eos_token_id", EOS_CANDIDATES);
        this.pad = resolve(tokCfg, "pad_token", modelCfg, "pad_token_id", PAD_CANDIDATES);
        Set<Integer> eosSet = new LinkedHashSet<>();
        eos.ifPresent(eosSet::add);
        collectIds(modelCfg, "eos_token_id", eosSet);
        collectIds(genCfg, "eos_token_id", eosSet);
        this.eosIds = eosSet.stream().mapToInt(Integer::intValue).toArray();
        this.addBos = boolOrNull(tokCfg, "add_bos_token");
        this.addEos = boolOrNull(tokCfg, "add_eos_token");
    }

    /**
     * Loads {@code tokenizer.json} (plus the optional {@code tokenizer_config.json},
     * {@code config.json} and {@code generation_config.json}) from a model directory. A path to the
     * tokenizer.json file itself is accepted too.
     *
     * @throws IllegalArgumentException if tokenizer.json is missing or cannot be parsed, or one of
     *     the optional JSON files is present but corrupt; the message names the file and the problem
     */
    public static TextTokenizer load(Path modelDir) {
        Path file = Files.isDirectory(modelDir) ? modelDir.resolve("tokenizer.json") : modelDir;
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": tokenizer.json not found");
        }
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read tokenizer.json: " + e, e);
        }
        Vocab vocab = parseVocab(file, json);
        JsonNode tokCfg = readOptionalJson(dir.resolve("tokenizer_config.json"));
        JsonNode modelCfg = readOptionalJson(dir.resolve("config.json"));
        JsonNode genCfg = readOptionalJson(dir.resolve("generation_config.json"));

        Map<String, String> options = new HashMap<>();
        options.put("addSpecialTokens", "true");
        options.put("truncation", "false");
        options.put("padding", "false");
        options.put("maxLength", Integer.toString(Integer.MAX_VALUE));
        options.put("modelMaxLength", Integer.toString(Integer.MAX_VALUE));
        options.put("doLowerCase", "false");
        HuggingFaceTokenizer hf;
        try {
            // The InputStream overload applies no tokenizer_config, so no decode-time space clean-up.
            hf = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), options);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    file + ": tokenizer.json rejected by the tokenizers library: " + e.getMessage(), e);
        }
        return new TextTokenizer(hf, file, vocab, tokCfg, modelCfg, genCfg);
    }

    /** The tokenizer.json this was loaded from. */
    public Path file() {
        return file;
    }

    /**
     * Encodes text to token ids; never truncates or pads.
     *
     * @param addSpecialTokens whether to add BOS/EOS as described in the class comment
     */
    public int[] encode(String text, boolean addSpecialTokens) {
        if (text == null) throw new NullPointerException("text");
        lock.readLock().lock();
        try {
            ensureOpen();
            boolean explicit = addBos != null || addEos != null;
            long[] ids = hf.encode(text, addSpecialTokens && !explicit, false).getIds();
            boolean preBos = addSpecialTokens && explicit && Boolean.TRUE.equals(addBos) && bos.isPresent();
            boolean postEos = addSpecialTokens && explicit && Boolean.TRUE.equals(addEos) && eos.isPresent();
            int off = preBos ? 1 : 0;
            int[] out = new int[ids.length + off + (postEos ? 1 : 0)];
            if (preBos) out[0] = bos.getAsInt();
            for (int i = 0; i < ids.length; i++) out[off + i] = Math.toIntExact(ids[i]);
            if (postEos) out[out.length - 1] = eos.getAsInt();
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Decodes ids to text with the tokenizer.json decoder; unknown ids are ignored. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) throw new IllegalArgumentException("negative token id " + ids[i] + " at " + i);
            l[i] = ids[i];
        }
        lock.readLock().lock();
        try {
            ensureOpen();
            return hf.decode(l, skipSpecialTokens);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Number of ids: highest id in the model vocabulary or {@code added_tokens}, plus one. */
    public int vocabSize() {
        return vocabSize;
    }

    /** Id of a token string of the vocabulary (model vocab or added tokens), if present. */
    public OptionalInt tokenId(String token) {
        Integer id = tokenToId.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** Whether the id belongs to an {@code added_tokens} entry marked {@code special}. */
    public boolean isSpecial(int id) {
        return specialIds.contains(id);
    }

    public OptionalInt bosId() {
        return bos;
    }

    public OptionalInt eosId() {
        return eos;
    }

    public OptionalInt padId() {
        return pad;
    }

    /**
     * All end-of-sequence ids: {@link #eosId()} first, then further {@code eos_token_id} entries of
     * config.json / generation_config.json. Empty if none is known. A fresh copy.
     */
    public int[] eosIds() {
        return eosIds.clone();
    }

    /** A fresh incremental detokenizer over this tokenizer. */
    public StreamDecoder streamDecoder(boolean skipSpecialTokens) {
        return new StreamDecoder(this, skipSpecialTokens);
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                hf.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("tokenizer closed: " + file);
    }

    // ---------------------------------------------------------------- special-token resolution

    private OptionalInt resolve(JsonNode tokCfg, String tokenKey, JsonNode modelCfg, String idKey,
                                List<String> candidates) {
        if (tokCfg != null) {
            String s = tokenString(tokCfg.get(tokenKey));
            if (s != null && tokenToId.containsKey(s)) return OptionalInt.of(tokenToId.get(s));
        }
        if (modelCfg != null) {
            List<Integer> ids = new ArrayList<>();
            collectIds(modelCfg, idKey, ids);
            if (!ids.isEmpty()) return OptionalInt.of(ids.get(0));
        }
        for (String c : candidates) {
            Integer id = tokenToId.get(c);
            if (id != null) return OptionalInt.of(id);
        }
        return OptionalInt.empty();
    }

    private static String tokenString(JsonNode n) {
        if (n == null || n.isNull()) return null;
        if (n.isTextual()) return n.asText();
        if (n.isObject() && n.hasNonNull("content")) return n.get("content").asText();
        return null;
    }

    private static void collectIds(JsonNode cfg, String key, java.util.Collection<Integer> out) {
        if (cfg == null) return;
        JsonNode n = cfg.get(key);
        if (n == null) return;
        if (n.isIntegralNumber()) {
            out.add(n.asInt());
        } else if (n.isArray()) {
            for (JsonNode e : n) if (e.isIntegralNumber()) out.add(e.asInt());
        }
    }

    private static Boolean boolOrNull(JsonNode cfg, String key) {
        if (cfg == null) return null;
        JsonNode n = cfg.get(key);
        return n != null && n.isBoolean() ? n.asBoolean() : null;
    }

    private static JsonNode readOptionalJson(Path p) {
        if (!Files.isRegularFile(p)) return null;
        try {
            JsonNode n = MAPPER.readTree(p.toFile());
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException(p + ": corrupt " + p.getFileName() + ": not a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    p + ": corrupt " + p.getFileName() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }

    // ---------------------------------------------------------------- vocabulary scan

    private static final class Vocab {
        final Map<String, Integer> tokenToId = new HashMap<>();
        final Set<Integer> specialIds = new HashSet<>();
        int maxId = -1;
        boolean hasModel;

        void put(String token, int id) {
            tokenToId.put(token, id);
            maxId = Math.max(maxId, id);
        }
    }

    /** Streams through tokenizer.json reading only model.vocab and added_tokens (merges skipped). */
    private static Vocab parseVocab(Path file, String json) {
        Vocab v = new Vocab();
        List<Object[]> added = new ArrayList<>();
        try (JsonParser p = JSON_FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(file + ": corrupt tokenizer.json: top level is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.getCurrentName();
                JsonToken t = p.nextToken();
                if (name.equals("added_tokens") && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        Integer id = null;
                        String content = null;
                        boolean special = false;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.getCurrentName();
                            p.nextToken();
                            switch (f) {
                                case "id" -> id = p.getIntValue();
                                case "content" -> content = p.getText();
                                case "special" -> special = p.getBooleanValue();
                                default -> p.skipChildren();
                            }
                        }
                        if (id != null && content != null) added.add(new Object[] {content, id, special});
                    }
                } else if (name.equals("model") && t == JsonToken.START_OBJECT) {
                    v.hasModel = true;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.getCurrentName();
                        JsonToken ft = p.nextToken();
                        if (f.equals("vocab") && ft == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String tok = p.getCurrentName();
                                p.nextToken();
                                v.put(tok, p.getIntValue());
                            }
                        } else if (f.equals("vocab") && ft == JsonToken.START_ARRAY) {
                            // Unigram: [[piece, score], ...], id = position
                            int idx = 0;
                            while (p.nextToken() == JsonToken.START_ARRAY) {
                                p.nextToken();
                                v.put(p.getText(), idx++);
                                while (p.nextToken() != JsonToken.END_ARRAY) p.skipChildren();
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException(file + ": corrupt tokenizer.json: trailing content after the JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": corrupt tokenizer.json: invalid JSON: "
                    + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (!v.hasModel) {
            throw new IllegalArgumentException(file + ": corrupt tokenizer.json: no \"model\" object");
        }
        for (Object[] a : added) {
            int id = (Integer) a[1];
            v.put((String) a[0], id);
            if ((Boolean) a[2]) v.specialIds.add(id);
        }
        return v;
    }

    /** Unmodifiable view of the token-to-id map (model vocab and added tokens). */
    Map<String, Integer> vocabulary() {
        return Collections.unmodifiableMap(tokenToId);
    }
}
