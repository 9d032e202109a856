package dev.zhyper.lab.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zhyper.core.data.Datasets;
import dev.zhyper.core.data.TrainingExample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The task-conditioning suite as written by {@code GenerateSuite} (data/suite). */
public record SuiteData(List<TrainingExample> train, List<TrainingExample> test,
                        Map<String, List<String>> trainDescriptions, Map<String, List<String>> heldOutDescriptions,
                        List<TaskInfo> tasks) {

    /** One line of tasks.json. {@code reachKind}: "parameter", "composition", or null for training tasks. */
    public record TaskInfo(String name, String family, boolean heldOut, String reachKind, String why) {}

    public static SuiteData load(Path dir) {
        List<TaskInfo> tasks = new ArrayList<>();
        try {
            JsonNode arr = new ObjectMapper().readTree(Files.readString(dir.resolve("tasks.json")));
            for (JsonNode n : arr) {
                JsonNode r = n.get("reachable_from");
                boolean reach = r != null && !r.isNull();
                tasks.add(new TaskInfo(n.get("name").asText(), n.path("family").asText(""),
                        n.path("held_out").asBoolean(false), reach ? r.path("kind").asText(null) : null,
                        reach ? r.path("why").asText(null) : null));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SuiteData(Datasets.readExamples(dir.resolve("train.jsonl")),
                Datasets.readExamples(dir.resolve("test.jsonl")),
                Datasets.readDescriptions(dir.resolve("descriptions.train.json")),
                Datasets.readDescriptions(dir.resolve("descriptions.heldout.json")), tasks);
    }

    public List<String> seenTasks() {
        return tasks.stream().filter(t -> !t.heldOut()).map(TaskInfo::name).toList();
    }

    public List<String> heldOutTasks() {
        return tasks.stream().filter(TaskInfo::heldOut).map(TaskInfo::name).toList();
    }

    public TaskInfo task(String name) {
        return tasks.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no task " + name));
    }

    /** Training descriptions of the training tasks only (held-out tasks are never trained on). */
    public Map<String, List<String>> trainingDescriptions() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String t : seenTasks()) {
            out.put(t, trainDescriptions.get(t));
        }
        return out;
    }

    /** The first {@code k} test examples of a task, in file order. */
    public List<TrainingExample> testOf(String task, int k) {
        return test.stream().filter(e -> e.task().equals(task)).limit(k).toList();
    }
}
