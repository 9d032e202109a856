package dev.zhyper.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads training data: JSONL examples {@code {"task","prompt","response"}} and a task → descriptions JSON map. */
public final class Datasets {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Datasets() {}

    public static List<TrainingExample> readExamples(Path file) {
        List<TrainingExample> out = new ArrayList<>();
        try {
            JsonLines.forEach(file, (n, line) -> {
                try {
                    out.add(parseExample(JSON.readTree(line)));
                } catch (IOException | IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + ":" + n + ": " + e.getMessage(), e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no examples");
        }
        return out;
    }

    /** Validates one example record (also used for Kafka records). */
    public static TrainingExample parseExample(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("an example must be a JSON object");
        }
        for (String f : List.of("task", "prompt", "response")) {
            if (!n.hasNonNull(f) || !n.get(f).isTextual()) {
                throw new IllegalArgumentException("field '" + f + "' is missing or not a string");
            }
        }
        return new TrainingExample(n.get("task").asText(), n.get("prompt").asText(), n.get("response").asText());
    }

    public static Map<String, List<String>> readDescriptions(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected an object mapping task → list of descriptions");
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        root.fields().forEachRemaining(e -> {
            if (!e.getValue().isArray() || e.getValue().isEmpty()) {
                throw new IllegalArgumentException(file + ": task '" + e.getKey() + "' needs a non-empty list");
            }
            List<String> d = new ArrayList<>();
            e.getValue().forEach(x -> d.add(x.asText()));
            out.put(e.getKey(), d);
        });
        return out;
    }
}
