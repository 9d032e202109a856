package dev.zhyper.lab.benchmark;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * CulturalBench (Hugging Face {@code kellycyy/CulturalBench}) from its CSV files, conditioned per country.
 * <ul>
 *   <li>Easy ({@code data_idx,question_idx,prompt_question,prompt_option_a..d,answer,country}): one 4-way
 *       multiple-choice prompt per row, answered with a letter.</li>
 *   <li>Hard ({@code data_idx,question_idx,prompt_question,prompt_option,answer,country}): each question appears as
 *       rows with one candidate option each, answered true/false; a question counts as correct only if every one
 *       of its rows is answered correctly.</li>
 * </ul>
 * The description of an item is a phrasing with a {@code {country}} slot filled with the item's country.
 * {@link #TRAINING_PHRASINGS} are for building adapter training data; evaluation uses the disjoint
 * {@link #EVALUATION_PHRASINGS}. Items are reported under {@code seen} / {@code unseen} by a {@link CountrySplit}.
 */
public final class CulturalBench implements Benchmark {

    public enum Variant {
        EASY("culturalbench_easy", List.of("data_idx", "question_idx", "prompt_question", "prompt_option_a",
                "prompt_option_b", "prompt_option_c", "prompt_option_d", "answer", "country")),
        HARD("culturalbench_hard", List.of("data_idx", "question_idx", "prompt_question", "prompt_option", "answer",
                "country"));

        private final String taskName;
        private final List<String> columns;

        Variant(String taskName, List<String> columns) {
            this.taskName = taskName;
            this.columns = columns;
        }

        public String taskName() { return taskName; }

        public List<String> columns() { return columns; }

        /** The file name the dataset repository uses. */
        public String fileName() {
            return this == EASY ? "CulturalBench-Easy.csv" : "CulturalBench-Hard.csv";
        }
    }

    public static final List<String> TRAINING_PHRASINGS = List.of(
            "Answer as a person from {country} would.",
            "You are a native of {country}; answer accordingly.",
            "Reply from the perspective of someone who lives in {country}.",
            "Use the everyday cultural knowledge of {country} to answer.",
            "Answer in line with the common customs and beliefs in {country}.",
            "Respond as someone deeply familiar with daily life in {country}.");

    public static final List<String> EVALUATION_PHRASINGS = List.of(
            "Answer as someone who grew up in {country} would.",
            "Respond the way a person raised in {country} would answer.",
            "Think like a local of {country} when you answer.",
            "Give the answer that people living in {country} would consider correct.",
            "Answer these questions from the cultural point of view of someone from {country}.");

    /** One CSV row. {@code options} has 4 entries (Easy) or 1 (Hard); {@code answer} a letter or true/false. */
    public record Row(int line, String dataIdx, String questionIdx, String question, List<String> options,
                      String answer, String country) {}

    private static final List<String> LETTERS = List.of("A", "B", "C", "D");

    private final Variant variant;
    private final Path file;
    private final List<Row> rows;
    private final CountrySplit split;

    public CulturalBench(Variant variant, Path file, List<Row> rows, CountrySplit split) {
        this.variant = variant;
        this.file = file;
        this.rows = List.copyOf(rows);
        this.split = split;
    }

    /** The description phrasing for a country. */
    public static String describe(String phrasing, String country) {
        return phrasing.replace("{country}", country);
    }

    /**
     * Parses a CulturalBench CSV (RFC 4180: quoted fields may hold commas, quotes and newlines).
     *
     * @param limit at most this many questions (Hard: all rows of each), 0 or less: all
     * @throws BenchmarkException naming the file (and line) of a missing column or invalid answer
     */
    public static List<Row> read(Variant variant, Path file, int limit) {
        if (!Files.isRegularFile(file)) {
            throw new BenchmarkException(file + ": CulturalBench file not found");
        }
        CsvMapper mapper = new CsvMapper();
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        List<Row> out = new ArrayList<>();
        Set<String> questions = new LinkedHashSet<>();
        try (MappingIterator<Map<String, String>> it = mapper.readerForMapOf(String.class).with(schema)
                .readValues(file.toFile())) {
            boolean headerChecked = false;
            while (it.hasNextValue()) {
                int line = it.getCurrentLocation().getLineNr();
                Map<String, String> m = it.nextValue();
                if (!headerChecked) {
                    List<String> missing = variant.columns().stream().filter(c -> !m.containsKey(c)).toList();
                    if (!missing.isEmpty()) {
                        throw new BenchmarkException(file + ": missing column(s) " + missing + " for CulturalBench "
                                + variant.name().toLowerCase(Locale.ROOT) + " (expected " + variant.columns() + ")");
                    }
                    headerChecked = true;
                }
                Row row = row(variant, file, line, m);
                if (limit > 0 && !questions.contains(row.questionIdx()) && questions.size() >= limit) {
                    break;
                }
                questions.add(row.questionIdx());
                out.add(row);
            }
        } catch (IOException e) {
            throw new BenchmarkException(file + ": malformed CSV: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof BenchmarkException) {
                throw e;
            }
            throw new BenchmarkException(file + ": malformed CSV: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new BenchmarkException(file + ": no rows");
        }
        return out;
    }

    private static Row row(Variant variant, Path file, int line, Map<String, String> m) {
        String where = file + ":" + line + ": ";
        String question = required(m, "prompt_question", where);
        String country = required(m, "country", where).strip();
        String rawAnswer = required(m, "answer", where).strip();
        List<String> options;
        String answer;
        if (variant == Variant.EASY) {
            options = List.of(required(m, "prompt_option_a", where), required(m, "prompt_option_b", where),
                    required(m, "prompt_option_c", where), required(m, "prompt_option_d", where));
            answer = rawAnswer.toUpperCase(Locale.ROOT);
            if (!LETTERS.contains(answer)) {
                throw new BenchmarkException(where + "answer must be A, B, C or D, got '" + rawAnswer + "'");
            }
        } else {
            options = List.of(required(m, "prompt_option", where));
            answer = rawAnswer.toLowerCase(Locale.ROOT);
            if (!answer.equals("true") && !answer.equals("false")) {
                throw new BenchmarkException(where + "answer must be true or false, got '" + rawAnswer + "'");
            }
        }
        String questionIdx = m.getOrDefault("question_idx", "").strip();
        return new Row(line, m.getOrDefault("data_idx", "").strip(),
                questionIdx.isEmpty() ? "line" + line : questionIdx, question, options, answer, country);
    }

    private static String required(Map<String, String> m, String column, String where) {
        String v = m.get(column);
        if (v == null || v.isBlank()) {
            throw new BenchmarkException(where + "empty column '" + column + "'");
        }
        return v;
    }

    /** The distinct countries of some rows, in first-seen order. */
    public static List<String> countries(List<Row> rows) {
        Set<String> out = new LinkedHashSet<>();
        rows.forEach(r -> out.add(r.country()));
        return List.copyOf(out);
    }

    public Variant variant() { return variant; }

    public List<Row> rows() { return rows; }

    public CountrySplit split() { return split; }

    /** Questions per subset (seen / unseen). */
    public Map<String, Integer> questionCounts() {
        Map<String, Set<String>> q = new LinkedHashMap<>();
        for (Row r : rows) {
            q.computeIfAbsent(split.subsetOf(r.country()), k -> new LinkedHashSet<>()).add(r.questionIdx());
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        q.forEach((k, v) -> out.put(k, v.size()));
        return out;
    }

    @Override
    public String name() { return variant.taskName(); }

    @Override
    public String scorerId() { return variant == Variant.EASY ? Scorer.LETTERS.id() : Scorer.BOOLEAN.id(); }

    @Override
    public int defaultMaxTokens() { return 16; }

    @Override
    public List<String> evaluationDescriptions(int k) {
        if (k < 0 || k > EVALUATION_PHRASINGS.size()) {
            throw new BenchmarkException("CulturalBench has " + EVALUATION_PHRASINGS.size()
                    + " evaluation phrasings, " + k + " requested");
        }
        return EVALUATION_PHRASINGS.subList(0, k);
    }

    @Override
    public Skipped skipped() { return Skipped.NONE; }

    @Override
    public List<BenchItem> items(Condition condition, BenchMode mode, boolean conditioned) {
        if (mode != BenchMode.NONE && condition.text() == null) {
            throw new IllegalArgumentException("mode " + mode.id() + " needs a description");
        }
        String fileName = file.getFileName().toString();
        List<BenchItem> items = new ArrayList<>(rows.size());
        for (Row r : rows) {
            String description = mode == BenchMode.NONE ? null : describe(condition.text(), r.country());
            String system = mode == BenchMode.PREPEND ? description : null;
            String z = !conditioned ? null : mode == BenchMode.NONE ? "" : description;
            String id = fileName + ":" + r.line();
            String subset = split.subsetOf(r.country());
            if (variant == Variant.EASY) {
                items.add(new BenchItem(name(), id, id, subset, z, system, easyPrompt(r), "", Scorer.LETTERS,
                        r.answer(), LETTERS));
            } else {
                items.add(new BenchItem(name(), id, name() + ":q" + r.questionIdx(), subset, z, system,
                        hardPrompt(r), "", Scorer.BOOLEAN, r.answer(), List.of("true", "false")));
            }
        }
        return items;
    }

    static String easyPrompt(Row r) {
        StringBuilder sb = new StringBuilder("Answer the question below by choosing the correct choice.\n\n")
                .append(r.question().strip()).append("\n\n");
        for (int i = 0; i < 4; i++) {
            sb.append(LETTERS.get(i)).append(": ").append(r.options().get(i).strip()).append('\n');
        }
        return sb.append("\nYou must respond with the letter corresponding to the correct choice (A,B,C,D) without "
                + "any explanation.").toString();
    }

    static String hardPrompt(Row r) {
        return r.question().strip() + "\n\nProposed answer: " + r.options().get(0).strip()
                + "\n\nIs the proposed answer correct? Please answer with only `true` or `false` without any "
                + "explanation.";
    }
}
