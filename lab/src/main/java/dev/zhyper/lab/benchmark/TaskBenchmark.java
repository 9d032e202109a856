package dev.zhyper.lab.benchmark;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A reference task (metadata.yaml) over its local JSONL dataset. Records the prompt template does not fit (e.g.
 * an ARC question with 3 choices for a 4-choice template) are skipped and counted; a record without a valid
 * answer is an error naming the file and line.
 */
public final class TaskBenchmark implements Benchmark {

    /** A record turned into its prompt and answer. */
    private record Prepared(String id, String user, String expected, List<String> labels) {}

    private final ReferenceTask task;
    private final Scorer scorer;
    private final List<Prepared> prepared;
    private final Skipped skipped;

    private TaskBenchmark(ReferenceTask task, Scorer scorer, List<Prepared> prepared, Skipped skipped) {
        this.task = task;
        this.scorer = scorer;
        this.prepared = prepared;
        this.skipped = skipped;
    }

    /**
     * @param limit at most this many usable records, from the start of the file (0 or less: all)
     */
    public static TaskBenchmark load(ReferenceTask task, Scorer scorer, Path dataFile, int limit) {
        List<JsonlRecords.Line> lines = JsonlRecords.read(dataFile);
        if (lines.isEmpty()) {
            throw new BenchmarkException(dataFile + ": no records");
        }
        String fileName = dataFile.getFileName().toString();
        List<Prepared> out = new ArrayList<>();
        int skipped = 0;
        String firstReason = null;
        for (JsonlRecords.Line line : lines) {
            if (limit > 0 && out.size() >= limit) {
                break;
            }
            JsonNode record = line.record();
            String user;
            try {
                user = task.userPrompt(record);
            } catch (PromptTemplate.MissingValueException e) {
                skipped++;
                if (firstReason == null) {
                    firstReason = dataFile + ":" + line.number() + ": " + e.getMessage();
                }
                continue;
            }
            JsonNode answer = record.get(task.responseField());
            if (answer == null) {
                throw new BenchmarkException(dataFile + ":" + line.number() + ": the record has no response field '"
                        + task.responseField() + "' (from " + task.source() + ")");
            }
            String expected;
            try {
                expected = scorer.expected(answer);
            } catch (IllegalArgumentException e) {
                throw new BenchmarkException(dataFile + ":" + line.number() + ": field '" + task.responseField()
                        + "': " + e.getMessage(), e);
            }
            out.add(new Prepared(fileName + ":" + line.number(), user, expected, scorer.labels(record)));
        }
        if (out.isEmpty()) {
            throw new BenchmarkException(dataFile + ": no record fits the prompt template of " + task.source()
                    + " (first: " + firstReason + ")");
        }
        return new TaskBenchmark(task, scorer, List.copyOf(out), new Skipped(skipped, firstReason));
    }

    public ReferenceTask task() { return task; }

    public int size() { return prepared.size(); }

    @Override
    public String name() { return task.name(); }

    @Override
    public String scorerId() { return scorer.id(); }

    @Override
    public int defaultMaxTokens() { return scorer.defaultMaxTokens(); }

    @Override
    public List<String> evaluationDescriptions(int k) { return task.evaluationDescriptions(k); }

    @Override
    public Skipped skipped() { return skipped; }

    @Override
    public List<BenchItem> items(Condition condition, BenchMode mode, boolean conditioned) {
        String description = mode == BenchMode.NONE ? null : condition.text();
        if (mode != BenchMode.NONE && description == null) {
            throw new IllegalArgumentException("mode " + mode.id() + " needs a description");
        }
        String system = mode == BenchMode.PREPEND ? join(description, task.systemMessage()) : task.systemMessage();
        String z = !conditioned ? null : mode == BenchMode.NONE ? "" : description;
        List<BenchItem> items = new ArrayList<>(prepared.size());
        for (Prepared p : prepared) {
            items.add(new BenchItem(task.name(), p.id(), p.id(), BenchItem.ALL, z, system, p.user(),
                    task.assistantPrefill(), scorer, p.expected(), p.labels()));
        }
        return items;
    }

    /** The prepended description, then the task's own system message (if any) after a blank line. */
    static String join(String description, String systemMessage) {
        if (systemMessage == null || systemMessage.isBlank()) {
            return description;
        }
        return description + "\n\n" + systemMessage;
    }
}
