package dev.zhyper.lab.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScorerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static boolean correct(Scorer s, String generation, JsonNode answer, JsonNode record) {
        return s.judge(generation, s.expected(answer), s.labels(record)).correct();
    }

    @Test
    void arcUsesTheRecordsOwnLabels() throws Exception {
        JsonNode letters = JSON.readTree("{\"choices\":{\"label\":[\"A\",\"B\",\"C\",\"D\"]},\"answerKey\":\"B\"}");
        Scorer s = Scorer.forTask("arc_easy");
        assertTrue(correct(s, "B", TextNode.valueOf("B"), letters));
        assertTrue(correct(s, " The answer is B: mitochondria", TextNode.valueOf("B"), letters));
        assertFalse(correct(s, "C", TextNode.valueOf("B"), letters));
        assertFalse(correct(s, "I do not know", TextNode.valueOf("B"), letters));
        assertNull(s.extract("I do not know", s.labels(letters)));
        // a letter inside a word is not an answer
        assertEquals("D", s.extract("Because: D", s.labels(letters)));
        JsonNode digits = JSON.readTree("{\"choices\":{\"label\":[\"1\",\"2\",\"3\",\"4\"]},\"answerKey\":\"3\"}");
        assertTrue(correct(s, "3", TextNode.valueOf("3"), digits));
        assertFalse(correct(s, "C", TextNode.valueOf("3"), digits));
        assertEquals(List.of("A", "B", "C", "D", "E"), s.labels(JSON.readTree("{}")));
    }

    @Test
    void openBookQa() {
        Scorer s = Scorer.forTask("openbookqa");
        JsonNode r = JSON.createObjectNode();
        assertTrue(correct(s, "A", TextNode.valueOf("A"), r));
        assertFalse(correct(s, "D.", TextNode.valueOf("A"), r));
        assertFalse(correct(s, "", TextNode.valueOf("A"), r));
    }

    @Test
    void hellaswagPiqaWinogrande() {
        JsonNode r = JSON.createObjectNode();
        Scorer h = Scorer.forTask("hellaswag");
        assertTrue(correct(h, "2", TextNode.valueOf("2"), r));
        assertFalse(correct(h, "1", TextNode.valueOf("2"), r));
        assertFalse(correct(h, "Ending 5", TextNode.valueOf("2"), r));
        assertNull(h.extract("42", h.labels(r)), "a digit inside a number is not a label");
        Scorer p = Scorer.forTask("piqa");
        assertTrue(correct(p, "1", JSON.getNodeFactory().numberNode(1), r));
        assertFalse(correct(p, "0", JSON.getNodeFactory().numberNode(1), r));
        assertFalse(correct(p, "2", JSON.getNodeFactory().numberNode(1), r));
        Scorer w = Scorer.forTask("winogrande");
        assertTrue(correct(w, "Option 2", TextNode.valueOf("2"), r));
        assertFalse(correct(w, "1", TextNode.valueOf("2"), r));
        assertFalse(correct(w, "0", TextNode.valueOf("2"), r));
    }

    @Test
    void boolqIsCaseInsensitive() {
        Scorer s = Scorer.forTask("boolq");
        JsonNode r = JSON.createObjectNode();
        assertTrue(correct(s, "TRUE", BooleanNode.TRUE, r));
        assertTrue(correct(s, " `false`", BooleanNode.FALSE, r));
        assertFalse(correct(s, "False", BooleanNode.TRUE, r));
        assertFalse(correct(s, "maybe", BooleanNode.TRUE, r));
        assertFalse(correct(s, "untrue", BooleanNode.TRUE, r), "true inside a word does not count");
        assertThrows(IllegalArgumentException.class, () -> s.expected(TextNode.valueOf("yes")));
    }

    @Test
    void gsm8kComparesTheLastNumberWithTheReference() {
        Scorer s = Scorer.forTask("gsm8k");
        JsonNode r = JSON.createObjectNode();
        TextNode ref = TextNode.valueOf("He pays 3 * 400 = <<3*400=1200>>1200 dollars.\n#### 1,200");
        assertEquals("1200", s.expected(ref));
        assertTrue(correct(s, "3 * 400 = 1200, so he pays $1,200.", ref, r));
        assertTrue(correct(s, "The answer is 1200.00", ref, r));
        assertFalse(correct(s, "He pays 1200 then 30.", ref, r));
        assertFalse(correct(s, "no idea", ref, r));
        assertTrue(correct(s, "It drops to -5.", TextNode.valueOf("#### -5"), r));
        assertThrows(IllegalArgumentException.class, () -> s.expected(TextNode.valueOf("#### none")));
    }

    @Test
    void codeTasksAndUnknownTasksAreRefused() {
        var code = assertThrows(BenchmarkException.class, () -> Scorer.forTask("humaneval"));
        assertTrue(code.getMessage().contains("not supported: code execution"), code.getMessage());
        var unknown = assertThrows(BenchmarkException.class, () -> Scorer.forTask("squad"));
        assertTrue(unknown.getMessage().contains("arc_challenge") && unknown.getMessage().contains("winogrande"),
                unknown.getMessage());
        assertEquals(Scorer.GSM8K, Scorer.parse("GSM8K"));
        assertThrows(IllegalArgumentException.class, () -> Scorer.parse("bleu"));
    }
}
