package dev.zhyper.lab.benchmark;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * String-match scoring of a generated answer (the text after the assistant prefill), as Text-to-LoRA evaluates:
 * <ul>
 *   <li>choice scorers: the first valid choice label that stands alone in the answer (not part of a longer word or
 *       number, case-sensitive) is the prediction; it is compared with the response field as a string.
 *       {@link #LETTERS} takes the labels from the record's {@code choices.label} list (ARC uses A–E and sometimes
 *       1–4, OpenBookQA A–D), else A–E; {@link #HELLASWAG} 0–3; {@link #PIQA} 0/1; {@link #WINOGRANDE} 1/2.</li>
 *   <li>{@link #BOOLEAN}: the first standalone {@code true}/{@code false} (any case) against a boolean field.</li>
 *   <li>{@link #GSM8K}: the number after {@code ####} in the reference against the last number in the answer
 *       ({@code $}, thousands commas and a trailing period are ignored; 42 equals 42.0).</li>
 * </ul>
 */
public enum Scorer {
    LETTERS("letters"),
    HELLASWAG("hellaswag"),
    PIQA("piqa"),
    WINOGRANDE("winogrande"),
    BOOLEAN("boolean"),
    GSM8K("gsm8k");

    /** The scorer of each supported reference task. */
    public static final Map<String, Scorer> BY_TASK = Map.of(
            "arc_challenge", LETTERS, "arc_easy", LETTERS, "openbookqa", LETTERS, "hellaswag", HELLASWAG,
            "piqa", PIQA, "winogrande", WINOGRANDE, "boolq", BOOLEAN, "gsm8k", GSM8K);

    /** Reference tasks whose answers must be executed, which this harness does not do. */
    public static final List<String> CODE_TASKS = List.of("humaneval", "mbpp");

    private static final List<String> DEFAULT_LETTERS = List.of("A", "B", "C", "D", "E");
    private static final Pattern BOOL = Pattern.compile("(?<![\\p{L}\\p{N}_])(true|false)(?![\\p{L}\\p{N}_])",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NUMBER = Pattern.compile("-?\\$?\\d(?:[\\d,]*\\d)?(?:\\.\\d+)?");

    private final String id;

    Scorer(String id) { this.id = id; }

    public String id() { return id; }

    /** The scorer for a task name. */
    public static Scorer forTask(String task) {
        Scorer s = BY_TASK.get(task);
        if (s != null) {
            return s;
        }
        if (CODE_TASKS.contains(task)) {
            throw new BenchmarkException(task + " is not supported: code execution (its answers are programs that "
                    + "must be run against tests; this harness only scores by string match)");
        }
        throw new BenchmarkException("unknown task '" + task + "' (supported: " + supportedTasks()
                + "; or give its scorer with --scorer " + task + "=<" + ids() + ">)");
    }

    public static String supportedTasks() {
        return BY_TASK.keySet().stream().sorted().collect(Collectors.joining(", "));
    }

    public static String ids() {
        return Arrays.stream(values()).map(Scorer::id).collect(Collectors.joining("|"));
    }

    public static Scorer parse(String id) {
        String t = id.strip().toLowerCase(Locale.ROOT);
        for (Scorer s : values()) {
            if (s.id.equals(t)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scorer '" + id + "' (" + ids() + ")");
    }

    /** Greedy-decoding budget the reference protocol gives this kind of answer. */
    public int defaultMaxTokens() {
        return this == GSM8K ? 256 : 16;
    }

    /**
     * The normalised expected answer of a response-field value.
     *
     * @throws IllegalArgumentException when the value cannot be an answer of this scorer
     */
    public String expected(JsonNode value) {
        if (value == null || value.isNull() || value.isContainerNode()) {
            throw new IllegalArgumentException("expected a scalar answer, got " + value);
        }
        switch (this) {
            case BOOLEAN -> {
                String t = value.asText().strip().toLowerCase(Locale.ROOT);
                if (!t.equals("true") && !t.equals("false")) {
                    throw new IllegalArgumentException("expected true or false, got " + value);
                }
                return t;
            }
            case GSM8K -> {
                String t = value.asText();
                int hashes = t.lastIndexOf("####");
                String ref = (hashes < 0 ? t : t.substring(hashes + 4)).strip();
                BigDecimal n = number(ref);
                if (n == null) {
                    throw new IllegalArgumentException("no number after '####' in the reference answer '"
                            + abbreviate(t) + "'");
                }
                return n.stripTrailingZeros().toPlainString();
            }
            default -> {
                String t = value.asText().strip();
                if (t.isEmpty()) {
                    throw new IllegalArgumentException("empty answer label");
                }
                return t;
            }
        }
    }

    /** The valid answers of a record (choice labels; true/false; empty for free numbers). */
    public List<String> labels(JsonNode record) {
        return switch (this) {
            case LETTERS -> {
                JsonNode l = record == null ? null : record.path("choices").get("label");
                if (l != null && l.isArray() && !l.isEmpty()) {
                    List<String> out = new java.util.ArrayList<>();
                    l.forEach(e -> out.add(e.asText().strip()));
                    yield List.copyOf(out);
                }
                yield DEFAULT_LETTERS;
            }
            case HELLASWAG -> List.of("0", "1", "2", "3");
            case PIQA -> List.of("0", "1");
            case WINOGRANDE -> List.of("1", "2");
            case BOOLEAN -> List.of("true", "false");
            case GSM8K -> List.of();
        };
    }

    /** The answer read from a generation, or null when it contains none. */
    public String extract(String generation, List<String> labels) {
        if (generation == null) {
            return null;
        }
        return switch (this) {
            case BOOLEAN -> {
                Matcher m = BOOL.matcher(generation);
                yield m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
            }
            case GSM8K -> {
                Matcher m = NUMBER.matcher(generation);
                String last = null;
                while (m.find()) {
                    last = m.group();
                }
                BigDecimal n = last == null ? null : number(last);
                yield n == null ? null : n.stripTrailingZeros().toPlainString();
            }
            default -> {
                Matcher m = choicePattern(labels).matcher(generation);
                yield m.find() ? m.group(1) : null;
            }
        };
    }

    /** Scores one generation against a normalised expected answer. */
    public Judgement judge(String generation, String expected, List<String> labels) {
        String predicted = extract(generation, labels);
        return new Judgement(predicted, expected, predicted != null && predicted.equals(expected));
    }

    private static Pattern choicePattern(List<String> labels) {
        String alternatives = labels.stream().distinct().sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote).collect(Collectors.joining("|"));
        return Pattern.compile("(?<![\\p{L}\\p{N}_])(" + alternatives + ")(?![\\p{L}\\p{N}_])");
    }

    /** A number written as {@code -1,234.50}, {@code $12}, {@code 7.} → its value; null when not a number. */
    static BigDecimal number(String s) {
        String t = s.strip().replace(",", "").replace("$", "");
        while (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            return new BigDecimal(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
