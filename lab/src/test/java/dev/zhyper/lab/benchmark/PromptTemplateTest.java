package dev.zhyper.lab.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void rendersFieldsAndNestedIndices() throws Exception {
        JsonNode r = json("{\"q\":\"Why?\",\"choices\":{\"label\":[\"A\",\"B\"],\"text\":[\"x\",\"y\"]},"
                + "\"endings\":[\"e0\",\"e1\",\"e2\",\"e3\"],\"n\":3,\"flag\":true,\"none\":null}");
        PromptTemplate t = PromptTemplate.parse("{q} {choices[label][1]}: {choices[text][1]} / {endings[3]} "
                + "{n} {flag} {none}");
        assertEquals("Why? B: y / e3 3 True None", t.render(r));
        assertEquals(java.util.List.of("q", "choices", "endings", "n", "flag", "none"), t.fieldNames());
    }

    @Test
    void doubledBracesAreLiteral() throws Exception {
        PromptTemplate t = PromptTemplate.parse("{{literal}} {x} }}{{");
        assertEquals("{literal} 1 }{", t.render(json("{\"x\":1}")));
    }

    @Test
    void missingKeyNamesThePlaceholder() throws Exception {
        PromptTemplate t = PromptTemplate.parse("Q: {question_stem}");
        var e = assertThrows(PromptTemplate.MissingValueException.class, () -> t.render(json("{\"question\":\"x\"}")));
        assertTrue(e.getMessage().contains("{question_stem}"), e.getMessage());
    }

    @Test
    void missingIndexNamesThePlaceholderAndSize() throws Exception {
        PromptTemplate t = PromptTemplate.parse("{choices[text][3]}");
        var e = assertThrows(PromptTemplate.MissingValueException.class,
                () -> t.render(json("{\"choices\":{\"text\":[\"a\",\"b\",\"c\"]}}")));
        assertTrue(e.getMessage().contains("{choices[text][3]}"), e.getMessage());
        assertTrue(e.getMessage().contains("3 elements"), e.getMessage());
        var e2 = assertThrows(PromptTemplate.MissingValueException.class,
                () -> t.render(json("{\"choices\":{\"label\":[]}}")));
        assertTrue(e2.getMessage().contains("no key 'text'"), e2.getMessage());
    }

    @Test
    void rejectsMalformedAndUnsupportedSyntax() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("a {b"))
                .getMessage().contains("unclosed"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("a } b"))
                .getMessage().contains("single '}'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("{}"))
                .getMessage().contains("positional"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("{x!r}"))
                .getMessage().contains("conversions"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("{x:>4}"))
                .getMessage().contains("format specs"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("{x[0}"))
                .getMessage().contains("missing ']'"));
    }
}
