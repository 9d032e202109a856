package dev.zhyper.core.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes Hugging Face {@code tokenizer.json} / {@code tokenizer_config.json} files for the
 * character-level vocabularies of Zhyper's tiny self-trained models.
 *
 * <h2>Layout of the written tokenizer</h2>
 * <ul>
 *   <li>ids {@code 0..k-1}: the special tokens in the given order (for example {@code <pad>, <s>,
 *       </s>, <unk>}), each also listed under {@code added_tokens} with {@code special: true} and
 *       {@code normalized: false}, so the literal text {@code "<s>"} encodes to its id;</li>
 *   <li>ids {@code k..}: one id per distinct code point of the alphabet, in order of first
 *       occurrence (duplicates and characters that equal a one-character special token are
 *       skipped);</li>
 *   <li>characters outside the alphabet encode to {@code <unk>} (one id per character). The unk
 *       token is {@code <unk>} or {@code [UNK]} when among the special tokens; without one the
 *       model silently drops unknown characters.</li>
 * </ul>
 *
 * <p>Model/decoder choice: a {@code BPE} model with an empty merge list, no normalizer, no
 * pre-tokenizer and a {@code Fuse} decoder. With no merges BPE splits every "word" (here: the whole
 * input, since nothing pre-tokenizes it) into single code points and maps each to its vocab id or
 * to unk, i.e. it is an exact character-level model; {@code Fuse} joins the decoded pieces with
 * no separator, so spaces, newlines and punctuation round-trip exactly (the default decoding
 * without a decoder would join pieces with {@code " "}). {@code WordLevel} would need a regex
 * {@code Split} pre-tokenizer to reach character granularity; BPE needs no regex and handles
 * unknown characters per character. No post-processor is written: BOS/EOS insertion is governed
 * by {@code add_bos_token}/{@code add_eos_token} in {@code tokenizer_config.json} (see
 * {@link TextTokenizer}).
 */
public final class TokenizerJsonBuilder {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TokenizerJsonBuilder() {}

    /**
     * Writes a character-level {@code tokenizer.json}.
     *
     * @param file the file to write (parent directories are created)
     * @param specialTokens special tokens, given ids {@code 0..k-1} in order; must be distinct and
     *     non-empty
     * @param alphabet the characters of the vocabulary (code points; duplicates are ignored)
     */
    public static void writeCharLevel(Path file, List<String> specialTokens, String alphabet) {
        Map<String, Integer> vocab = charLevelVocab(specialTokens, alphabet);
        String unk = null;
        for (String s : specialTokens) {
            if (s.equals("<unk>") || s.equals("[UNK]")) {
                unk = s;
                break;
            }
        }

        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < specialTokens.size(); i++) {
            ObjectNode t = added.addObject();
            t.put("id", i);
            t.put("content", specialTokens.get(i));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "Fuse");

        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        if (unk == null) {
            model.putNull("unk_token");
        } else {
            model.put("unk_token", unk);
        }
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode v = model.putObject("vocab");
        vocab.forEach(v::put);
        model.putArray("merges");

        write(file, root);
    }

    /**
     * The vocabulary {@link #writeCharLevel} writes: token string to id, in id order.
     *
     * @throws IllegalArgumentException on empty or duplicate special tokens
     */
    public static Map<String, Integer> charLevelVocab(List<String> specialTokens, String alphabet) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String s : specialTokens) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("special tokens must be non-empty: " + specialTokens);
            }
            if (vocab.putIfAbsent(s, vocab.size()) != null) {
                throw new IllegalArgumentException("duplicate special token '" + s + "' in " + specialTokens);
            }
        }
        Set<Integer> seen = new LinkedHashSet<>();
        alphabet.codePoints().forEach(seen::add);
        for (int cp : seen) {
            vocab.putIfAbsent(new String(Character.toChars(cp)), vocab.size());
        }
        return vocab;
    }

    /**
     * Writes a {@code tokenizer_config.json} naming the BOS/EOS/PAD token strings (null values are
     * left out) and whether BOS is prepended when encoding with special tokens.
     */
    public static void writeTokenizerConfig(Path file, String bos, String eos, String pad, boolean addBos) {
        ObjectNode root = JSON.createObjectNode();
        root.put("tokenizer_class", "PreTrainedTokenizerFast");
        if (bos != null) root.put("bos_token", bos);
        if (eos != null) root.put("eos_token", eos);
        if (pad != null) root.put("pad_token", pad);
        root.put("add_bos_token", addBos);
        root.put("add_eos_token", false);
        root.put("clean_up_tokenization_spaces", false);
        root.put("model_max_length", 1_000_000_000L);
        write(file, root);
    }

    private static void write(Path file, ObjectNode root) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            JSON.writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
