package dev.zhyper.core.text;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamDecoderTest {

    @TempDir Path tmp;

    private static List<String> stream(TextTokenizer tok, int[] ids, boolean skip) {
        StreamDecoder d = tok.streamDecoder(skip);
        List<String> pieces = new ArrayList<>();
        for (int id : ids) pieces.add(d.push(id));
        pieces.add(d.flush());
        assertEquals(String.join("", pieces), d.text());
        return pieces;
    }

    @Test
    void charLevelPiecesConcatenateToFullDecode() {
        Path dir = tmp.resolve("c");
        TokenizerJsonBuilder.writeCharLevel(dir.resolve("tokenizer.json"),
                List.of("<pad>", "<s>", "</s>", "<unk>"), "abcdefghijklmnopqrstuvwxyz .,!\n");
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            String text = "<s>hello, world!\n  two  spaces.</s>";
            int[] ids = tok.encode(text, false);
            for (boolean skip : new boolean[] {false, true}) {
                List<String> pieces = stream(tok, ids, skip);
                assertEquals(tok.decode(ids, skip), String.join("", pieces));
            }
            List<String> pieces = stream(tok, ids, false);
            assertEquals("<s>", pieces.get(0));
            assertEquals("h", pieces.get(1));
        }
    }

    /** A SentencePiece-style BPE with byte fallback, as in Llama-2/Mistral tokenizer.json files. */
    private static Path byteFallbackTokenizer(Path dir) throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("version", "1.0");
        ArrayNode added = root.putArray("added_tokens");
        String[] specials = {"<unk>", "<s>", "</s>"};
        for (int i = 0; i < specials.length; i++) {
            added.addObject().put("id", i).put("content", specials[i]).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        ObjectNode norm = root.putObject("normalizer").put("type", "Sequence");
        ArrayNode ns = norm.putArray("normalizers");
        ns.addObject().put("type", "Prepend").put("prepend", "\u2581");
        ObjectNode rep = ns.addObject().put("type", "Replace");
        rep.putObject("pattern").put("String", " ");
        rep.put("content", "\u2581");
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        ObjectNode dec = root.putObject("decoder").put("type", "Sequence");
        ArrayNode ds = dec.putArray("decoders");
        ObjectNode drep = ds.addObject().put("type", "Replace");
        drep.putObject("pattern").put("String", "\u2581");
        drep.put("content", " ");
        ds.addObject().put("type", "ByteFallback");
        ds.addObject().put("type", "Fuse");
        ds.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        model.put("unk_token", "<unk>").putNull("continuing_subword_prefix").putNull("end_of_word_suffix");
        model.put("fuse_unk", true).put("byte_fallback", true).put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < specials.length; i++) vocab.put(specials[i], i);
        for (int b = 0; b < 256; b++) vocab.put(String.format("<0x%02X>", b), 3 + b);
        int id = 259;
        for (String p : new String[] {"\u2581", "h", "e", "l", "o", "w", "r", "d", "\u2581h", "ll", "\u2581he"}) {
            vocab.put(p, id++);
        }
        ArrayNode merges = model.putArray("merges");
        merges.add("\u2581 h").add("l l").add("\u2581h e");
        Files.createDirectories(dir);
        m.writeValue(dir.resolve("tokenizer.json").toFile(), root);
        return dir;
    }

    @Test
    void multiByteCharactersAreEmittedOnlyWhenComplete() throws Exception {
        try (TextTokenizer tok = TextTokenizer.load(byteFallbackTokenizer(tmp.resolve("bf")))) {
            String text = "hello world €ö 😀 hello";
            int[] ids = tok.encode(text, false);
            assertEquals(text, tok.decode(ids, false));
            // the euro sign needs three byte tokens
            assertTrue(ids.length > text.length() / 2);
            List<String> pieces = stream(tok, ids, false);
            assertEquals(text, String.join("", pieces));
            for (String p : pieces) assertFalse(p.contains("\uFFFD"), "incomplete UTF-8 emitted: " + pieces);
            assertTrue(pieces.contains(""), "some byte tokens must wait for the rest of their character");
            assertTrue(pieces.contains("€") || pieces.contains(" €"), pieces.toString());
            // word-initial spaces survive although each window's first token loses its space
            assertTrue(pieces.contains(" he") || pieces.contains(" h"), pieces.toString());
        }
    }

    @Test
    void flushEmitsTrailingIncompleteBytes() throws Exception {
        try (TextTokenizer tok = TextTokenizer.load(byteFallbackTokenizer(tmp.resolve("bf2")))) {
            int h = tok.tokenId("\u2581h").getAsInt();
            int e2 = tok.tokenId("<0xE2>").getAsInt();
            StreamDecoder d = tok.streamDecoder(false);
            assertEquals("h", d.push(h));
            assertEquals("", d.push(e2));
            assertEquals(tok.decode(new int[] {h, e2}, false).substring(1), d.flush());
            d.reset();
            assertEquals("", d.text());
            assertEquals(0, d.ids().length);
        }
    }
}
