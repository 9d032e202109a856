package dev.zhyper.core.text;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTokenizerTest {

    static final List<String> SPECIALS = List.of("<pad>", "<s>", "</s>", "<unk>");
    static final String ALPHABET = alphabet();

    @TempDir static Path tmp;
    static TextTokenizer tok;

    static String alphabet() {
        StringBuilder sb = new StringBuilder("\n\t");
        for (char c = 32; c < 127; c++) sb.append(c);
        sb.append("éü€");
        return sb.toString();
    }

    @BeforeAll
    static void setUp() {
        Path dir = tmp.resolve("charlevel");
        TokenizerJsonBuilder.writeCharLevel(dir.resolve("tokenizer.json"), SPECIALS, ALPHABET);
        TokenizerJsonBuilder.writeTokenizerConfig(dir.resolve("tokenizer_config.json"), "<s>", "</s>", "<pad>", true);
        tok = TextTokenizer.load(dir);
    }

    @AfterAll
    static void tearDown() {
        tok.close();
    }

    @Test
    void roundTripsTextExactly() {
        List<String> texts = List.of(
                "Hello, world!",
                "  two leading and trailing spaces  ",
                "a\nb\n\nc\n",
                "digits 0123456789 and punctuation: ;:'\"!?()[]{}<>/\\|@#$%^&*-_=+~`.,",
                "tab\tseparated\tvalues",
                "accents: éü and €",
                " ",
                "");
        for (String t : texts) {
            int[] ids = tok.encode(t, false);
            assertEquals(t.codePointCount(0, t.length()), ids.length, "one id per character: " + t);
            assertEquals(t, tok.decode(ids, false), "round trip");
            assertEquals(t, tok.decode(ids, true), "round trip, skipping specials");
        }
    }

    @Test
    void idsFollowTheDeclaredLayout() {
        assertEquals(SPECIALS.size() + ALPHABET.length(), tok.vocabSize());
        for (int i = 0; i < SPECIALS.size(); i++) assertEquals(OptionalInt.of(i), tok.tokenId(SPECIALS.get(i)));
        assertEquals(OptionalInt.of(4), tok.tokenId("\n"));
        assertEquals(OptionalInt.of(6), tok.tokenId(" "));
        assertArrayEquals(new int[] {tok.tokenId("a").getAsInt(), tok.tokenId("b").getAsInt()}, tok.encode("ab", false));
        assertTrue(tok.tokenId("zz").isEmpty());
        assertTrue(tok.isSpecial(1));
        assertFalse(tok.isSpecial(4));
    }

    @Test
    void specialTokensInTextEncodeToTheirIds() {
        int h = tok.tokenId("h").getAsInt();
        int i = tok.tokenId("i").getAsInt();
        assertArrayEquals(new int[] {1, h, i, 2, 0}, tok.encode("<s>hi</s><pad>", false));
        assertEquals("<s>hi</s><pad>", tok.decode(new int[] {1, h, i, 2, 0}, false));
        assertEquals("hi", tok.decode(new int[] {1, h, i, 2, 0}, true));
    }

    @Test
    void unknownCharactersMapToUnk() {
        int a = tok.tokenId("a").getAsInt();
        assertArrayEquals(new int[] {a, 3, 3, a}, tok.encode("a☃жa", false));
    }

    @Test
    void withoutUnkTokenUnknownCharactersAreDropped() {
        Path dir = tmp.resolve("nounk");
        TokenizerJsonBuilder.writeCharLevel(dir.resolve("tokenizer.json"), List.of("<s>", "</s>"), "ab");
        try (TextTokenizer t = TextTokenizer.load(dir)) {
            assertArrayEquals(new int[] {2, 3}, t.encode("a☃b", false));
        }
    }

    @Test
    void addSpecialTokensPrependsBosOnlyAsConfigured() {
        int[] ids = tok.encode("hi", true);
        assertEquals(3, ids.length);
        assertEquals(1, ids[0]);
        assertArrayEquals(tok.encode("hi", false), java.util.Arrays.copyOfRange(ids, 1, 3));
    }

    @Test
    void resolvesBosEosPadFromTokenizerConfig() {
        assertEquals(OptionalInt.of(1), tok.bosId());
        assertEquals(OptionalInt.of(2), tok.eosId());
        assertEquals(OptionalInt.of(0), tok.padId());
        assertArrayEquals(new int[] {2}, tok.eosIds());
    }

    @Test
    void resolvesSpecialIdsFromConfigJsonAndConventions() throws Exception {
        Path dir = tmp.resolve("noconfig");
        TokenizerJsonBuilder.writeCharLevel(dir.resolve("tokenizer.json"),
                List.of("<unk>", "<s>", "</s>", "<|eot|>", "<|endoftext|>"), "abc");
        try (TextTokenizer t = TextTokenizer.load(dir)) {
            assertEquals(OptionalInt.of(1), t.bosId());
            assertEquals(OptionalInt.of(2), t.eosId());
            assertTrue(t.padId().isEmpty());
            // no add_bos_token flags and no post-processor: nothing is added
            assertArrayEquals(t.encode("ab", false), t.encode("ab", true));
        }
        Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": [3, 4], \"pad_token_id\": 4}");
        try (TextTokenizer t = TextTokenizer.load(dir.resolve("tokenizer.json"))) {
            assertEquals(OptionalInt.of(3), t.eosId());
            assertEquals(OptionalInt.of(4), t.padId());
            assertArrayEquals(new int[] {3, 4}, t.eosIds());
        }
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"eos_token\": {\"content\": \"<|endoftext|>\"}, \"add_bos_token\": true, \"add_eos_token\": true}");
        try (TextTokenizer t = TextTokenizer.load(dir)) {
            assertEquals(OptionalInt.of(4), t.eosId());
            assertArrayEquals(new int[] {4, 3}, t.eosIds());
            int a = t.tokenId("a").getAsInt();
            assertArrayEquals(new int[] {1, a, 4}, t.encode("a", true));
        }
    }

    @Test
    void neverTruncatesOrPads() {
        String longText = "abcdefghij".repeat(1000);
        int[] ids = tok.encode(longText, false);
        assertEquals(10_000, ids.length);
        assertEquals(longText, tok.decode(ids, false));
        assertEquals(1, tok.encode("x", false).length);
    }

    @Test
    void missingTokenizerJsonIsReported() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TextTokenizer.load(tmp.resolve("does-not-exist")));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void corruptTokenizerJsonIsReported() throws Exception {
        Path dir = tmp.resolve("corrupt");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"vocab\": {\"a\": 0,");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextTokenizer.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("tokenizer.json").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("invalid JSON"), e.getMessage());

        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\"}");
        e = assertThrows(IllegalArgumentException.class, () -> TextTokenizer.load(dir));
        assertTrue(e.getMessage().contains("tokenizer.json") && e.getMessage().contains("model"), e.getMessage());

        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"NoSuchModel\", \"vocab\": {}}}");
        e = assertThrows(IllegalArgumentException.class, () -> TextTokenizer.load(dir));
        assertTrue(e.getMessage().contains("tokenizer.json") && e.getMessage().contains("rejected"), e.getMessage());
    }

    @Test
    void concurrentEncodeDecodeIsSafe() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int seed = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        String s = "thread " + seed + " item " + i + "\n<s>x</s>";
                        if (!s.equals(tok.decode(tok.encode(s, false), false))) return false;
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : fs) assertTrue(f.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closedTokenizerRejectsCalls() {
        Path dir = tmp.resolve("closing");
        TokenizerJsonBuilder.writeCharLevel(dir.resolve("tokenizer.json"), SPECIALS, "ab");
        TextTokenizer t = TextTokenizer.load(dir);
        t.close();
        t.close();
        assertThrows(IllegalStateException.class, () -> t.encode("a", false));
    }
}
