package dev.zhyper.lab.benchmark;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A Python {@code str.format} template rendered over a JSON record, as the reference task metadata writes its
 * prompts: {@code {field}}, nested indexing {@code {choices[label][0]}}, {@code {endings[3]}}, and the escapes
 * {@code {{} / {@code }}}. An index of digits selects an array element; any other index (or digits on an object)
 * selects an object member. Conversions ({@code !r}), format specs ({@code :>5}), attribute access
 * ({@code .x}) and positional fields ({@code {}}, {@code {0}}) are rejected when the template is parsed.
 *
 * <p>Values render as Python would print them: strings as they are, numbers in JSON notation, booleans as
 * {@code True}/{@code False}, null as {@code None}; arrays and objects as compact JSON.
 */
public final class PromptTemplate {
    private final String source;
    private final List<Segment> segments;

    private sealed interface Segment permits Literal, Field {}

    private record Literal(String text) implements Segment {}

    /** @param placeholder the text between the braces, for messages */
    private record Field(String placeholder, String name, List<String> indices) implements Segment {}

    private PromptTemplate(String source, List<Segment> segments) {
        this.source = source;
        this.segments = segments;
    }

    /** @throws IllegalArgumentException for malformed or unsupported syntax (message gives the position) */
    public static PromptTemplate parse(String template) {
        if (template == null) {
            throw new IllegalArgumentException("template is null");
        }
        List<Segment> out = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        int n = template.length();
        while (i < n) {
            char c = template.charAt(i);
            if (c == '{') {
                if (i + 1 < n && template.charAt(i + 1) == '{') {
                    lit.append('{');
                    i += 2;
                    continue;
                }
                int close = template.indexOf('}', i + 1);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed '{' at position " + i);
                }
                String placeholder = template.substring(i + 1, close);
                if (placeholder.indexOf('{') >= 0) {
                    throw new IllegalArgumentException("nested '{' in placeholder at position " + i
                            + " (nested fields are not supported)");
                }
                if (lit.length() > 0) {
                    out.add(new Literal(lit.toString()));
                    lit.setLength(0);
                }
                out.add(field(placeholder, i));
                i = close + 1;
            } else if (c == '}') {
                if (i + 1 < n && template.charAt(i + 1) == '}') {
                    lit.append('}');
                    i += 2;
                    continue;
                }
                throw new IllegalArgumentException("single '}' at position " + i + " (write '}}' for a literal brace)");
            } else {
                lit.append(c);
                i++;
            }
        }
        if (lit.length() > 0) {
            out.add(new Literal(lit.toString()));
        }
        return new PromptTemplate(template, List.copyOf(out));
    }

    private static Field field(String placeholder, int pos) {
        String where = "placeholder {" + placeholder + "} at position " + pos;
        if (placeholder.contains("!")) {
            throw new IllegalArgumentException("conversions (!r, !s) are not supported: " + where);
        }
        int bracket = placeholder.indexOf('[');
        String name = bracket < 0 ? placeholder : placeholder.substring(0, bracket);
        if (name.contains(":")) {
            throw new IllegalArgumentException("format specs are not supported: " + where);
        }
        if (name.contains(".")) {
            throw new IllegalArgumentException("attribute access is not supported: " + where);
        }
        if (name.isEmpty() || name.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("positional fields are not supported, name the record field: " + where);
        }
        List<String> indices = new ArrayList<>();
        int j = bracket;
        while (j >= 0 && j < placeholder.length()) {
            if (placeholder.charAt(j) != '[') {
                String rest = placeholder.substring(j);
                throw new IllegalArgumentException((rest.startsWith(":") ? "format specs are not supported: "
                        : rest.startsWith(".") ? "attribute access is not supported: "
                        : "unexpected '" + rest + "' after an index: ") + where);
            }
            int end = placeholder.indexOf(']', j);
            if (end < 0) {
                throw new IllegalArgumentException("missing ']' in " + where);
            }
            String index = placeholder.substring(j + 1, end);
            if (index.isEmpty()) {
                throw new IllegalArgumentException("empty index '[]' in " + where);
            }
            indices.add(index);
            j = end + 1;
        }
        return new Field(placeholder, name, List.copyOf(indices));
    }

    /** The template text as given. */
    public String source() { return source; }

    /** The top-level record fields the template reads, in order of first use. */
    public List<String> fieldNames() {
        return segments.stream().filter(s -> s instanceof Field).map(s -> ((Field) s).name()).distinct().toList();
    }

    /**
     * Renders the template over {@code record}.
     *
     * @throws MissingValueException when a field or index is absent; the message names the placeholder
     */
    public String render(JsonNode record) {
        StringBuilder sb = new StringBuilder();
        for (Segment s : segments) {
            if (s instanceof Literal l) {
                sb.append(l.text());
            } else {
                sb.append(text(resolve((Field) s, record)));
            }
        }
        return sb.toString();
    }

    private static JsonNode resolve(Field f, JsonNode record) {
        JsonNode v = record == null ? null : record.get(f.name());
        if (v == null || !record.isObject()) {
            throw new MissingValueException("{" + f.placeholder() + "}: the record has no field '" + f.name() + "'");
        }
        StringBuilder path = new StringBuilder(f.name());
        for (String index : f.indices()) {
            JsonNode next;
            if (v.isArray()) {
                if (!index.chars().allMatch(Character::isDigit)) {
                    throw new MissingValueException("{" + f.placeholder() + "}: " + path + " is a list, index '"
                            + index + "' is not a number");
                }
                int k = Integer.parseInt(index);
                next = v.get(k);
                if (next == null) {
                    throw new MissingValueException("{" + f.placeholder() + "}: index " + k + " is out of range ("
                            + path + " has " + v.size() + " elements)");
                }
            } else if (v.isObject()) {
                next = v.get(index);
                if (next == null) {
                    throw new MissingValueException("{" + f.placeholder() + "}: " + path + " has no key '" + index
                            + "'");
                }
            } else {
                throw new MissingValueException("{" + f.placeholder() + "}: " + path + " is not a list or mapping");
            }
            path.append('[').append(index).append(']');
            v = next;
        }
        return v;
    }

    private static String text(JsonNode v) {
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue() ? "True" : "False";
        }
        if (v.isNull()) {
            return "None";
        }
        return v.toString();
    }

    /** A placeholder whose field or index the record lacks. */
    public static final class MissingValueException extends BenchmarkException {
        private static final long serialVersionUID = 1L;

        MissingValueException(String message) {
            super(message);
        }
    }

    @Override
    public String toString() {
        return source;
    }
}
