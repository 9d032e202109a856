package dev.zhyper.lab.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.zhyper.core.data.TrainingExample;
import dev.zhyper.core.io.DurableFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Training data for {@code zhyper train} made from tasks in the reference format (Text-to-LoRA's
 * {@code tasks/<name>/metadata.yaml} plus one JSONL dataset file per task), e.g. the Super-Natural-Instructions
 * training tasks of the paper. Each record becomes one example: prompt = the task's system message (if any), a
 * blank line and the rendered {@code user_prompt_template}; response = {@code assistant_prefill} + the record's
 * {@code response_field} (+ {@code assistant_postfill}), so that training sees exactly the token sequence that
 * {@code zhyper benchmark} produces at evaluation. Each task's descriptions become its training descriptions, less
 * the last {@code holdOut} (kept unseen, as the benchmark harness evaluates with the last ones).
 *
 * @param skipped per task, records the template did not fit or without a usable answer
 */
public record TrainingSet(List<TrainingExample> examples, Map<String, List<String>> descriptions,
                          Map<String, Integer> skipped) {

    /**
     * @param maxPerTask at most this many records per task (a seeded random subset), or 0 for all
     */
    public static TrainingSet fromReferenceTasks(Path tasksDir, Path dataDir, List<String> tasks, int maxPerTask,
                                                 int holdOut, long seed) {
        if (tasks.isEmpty()) {
            throw new BenchmarkException("no tasks given");
        }
        List<TrainingExample> examples = new ArrayList<>();
        Map<String, List<String>> descriptions = new LinkedHashMap<>();
        Map<String, Integer> skipped = new LinkedHashMap<>();
        for (String name : tasks) {
            ReferenceTask task = ReferenceTask.load(tasksDir, name);
            if (holdOut >= task.descriptions().size()) {
                throw new BenchmarkException(task.source() + ": holding out " + holdOut + " of "
                        + task.descriptions().size() + " descriptions leaves none for training");
            }
            descriptions.put(name, task.descriptions().subList(0, task.descriptions().size() - holdOut));
            List<JsonlRecords.Line> lines = new ArrayList<>(JsonlRecords.read(dataDir.resolve(name + ".jsonl")));
            if (maxPerTask > 0 && lines.size() > maxPerTask) {
                Collections.shuffle(lines, new Random(seed * 31 + name.hashCode()));
                lines = lines.subList(0, maxPerTask);
            }
            int skip = 0;
            for (JsonlRecords.Line line : lines) {
                TrainingExample e = example(task, line.record());
                if (e == null) {
                    skip++;
                } else {
                    examples.add(e);
                }
            }
            if (skip == lines.size()) {
                throw new BenchmarkException(dataDir.resolve(name + ".jsonl") + ": none of " + lines.size()
                        + " records fits the prompt template and answer field of " + task.source());
            }
            skipped.put(name, skip);
        }
        return new TrainingSet(List.copyOf(examples), Collections.unmodifiableMap(descriptions),
                Collections.unmodifiableMap(skipped));
    }

    /** Writes {@code train.jsonl} and {@code descriptions.json} into {@code dir} (created if needed). */
    public void write(Path dir) {
        ObjectMapper json = new ObjectMapper();
        try {
            Files.createDirectories(dir);
            StringBuilder sb = new StringBuilder();
            for (TrainingExample e : examples) {
                Map<String, String> row = new LinkedHashMap<>();
                row.put("task", e.task());
                row.put("prompt", e.prompt());
                row.put("response", e.response());
                sb.append(json.writeValueAsString(row)).append('\n');
            }
            DurableFiles.writeAtomically(dir.resolve("train.jsonl"), sb.toString().getBytes(StandardCharsets.UTF_8));
            DurableFiles.writeAtomically(dir.resolve("descriptions.json"),
                    json.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(descriptions));
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot write the training set: " + e.getMessage(), e);
        }
    }

    private static TrainingExample example(ReferenceTask task, JsonNode record) {
        String user;
        try {
            user = task.userPrompt(record);
        } catch (PromptTemplate.MissingValueException e) {
            return null;
        }
        JsonNode answer = record.get(task.responseField());
        if (answer == null || answer.isNull() || answer.isContainerNode()) {
            return null;
        }
        String text = answer.isTextual() ? answer.textValue() : answer.asText();
        if (text.isEmpty()) {
            return null;
        }
        String system = task.systemMessage();
        String prompt = system == null || system.isEmpty() ? user : system + "\n\n" + user;
        String response = task.assistantPrefill() + text
                + (task.assistantPostfill() == null ? "" : task.assistantPostfill());
        return new TrainingExample(task.name(), prompt, response);
    }
}
