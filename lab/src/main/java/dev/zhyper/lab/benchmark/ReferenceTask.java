package dev.zhyper.lab.benchmark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark's task metadata, as the reference implementation (and Text-to-LoRA) write it in
 * {@code tasks/<name>/metadata.yaml}: natural-language {@code descriptions}, the prompt
 * ({@code user_prompt_template}, Python {@code str.format} over a dataset record), {@code system_message},
 * {@code assistant_prefill}, optional {@code assistant_postfill}, the answer field ({@code response_field}) and
 * the Hugging Face dataset it came from ({@code ds_kwargs}).
 *
 * @param name              the task name (the metadata file's directory)
 * @param source            the metadata file
 * @param assistantPostfill null when absent
 * @param datasetKwargs     {@code ds_kwargs} as strings (path, name, split), in file order
 */
public record ReferenceTask(String name, Path source, List<String> descriptions, PromptTemplate userPromptTemplate,
                            String systemMessage, String assistantPrefill, String assistantPostfill,
                            String responseField, Map<String, String> datasetKwargs) {

    public static final String FILE_NAME = "metadata.yaml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public ReferenceTask {
        descriptions = List.copyOf(descriptions);
        datasetKwargs = Collections.unmodifiableMap(new LinkedHashMap<>(datasetKwargs));
    }

    /** Loads {@code tasksDir/<name>/metadata.yaml}. */
    public static ReferenceTask load(Path tasksDir, String name) {
        Path file = tasksDir.resolve(name).resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new BenchmarkException(file + ": task metadata not found (expected <tasks-dir>/" + name + "/"
                    + FILE_NAME + ")");
        }
        return load(file);
    }

    /** Loads a metadata file; the task name is its parent directory's name. */
    public static ReferenceTask load(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new BenchmarkException(file + ": malformed YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        } catch (IOException e) {
            throw new BenchmarkException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new BenchmarkException(file + ": expected a YAML mapping with task metadata");
        }
        Path parent = file.toAbsolutePath().getParent();
        String name = parent == null || parent.getFileName() == null ? file.toString() : parent.getFileName().toString();
        List<String> descriptions = descriptions(file, root);
        String template = requiredString(file, root, "user_prompt_template");
        PromptTemplate parsed;
        try {
            parsed = PromptTemplate.parse(template);
        } catch (IllegalArgumentException e) {
            throw new BenchmarkException(file + ": field 'user_prompt_template': " + e.getMessage(), e);
        }
        return new ReferenceTask(name, file, descriptions, parsed,
                optionalString(file, root, "system_message", ""),
                optionalString(file, root, "assistant_prefill", ""),
                optionalString(file, root, "assistant_postfill", null),
                requiredString(file, root, "response_field"),
                dsKwargs(file, root));
    }

    /** The last {@code k} descriptions (the reference protocol's unseen evaluation descriptions), in file order. */
    public List<String> evaluationDescriptions(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("description count must be >= 0, got " + k);
        }
        if (k > descriptions.size()) {
            throw new BenchmarkException(source + ": " + k + " evaluation descriptions requested, the file has "
                    + descriptions.size());
        }
        return descriptions.subList(descriptions.size() - k, descriptions.size());
    }

    /** The user prompt of a dataset record. */
    public String userPrompt(JsonNode record) {
        return userPromptTemplate.render(record);
    }

    private static List<String> descriptions(Path file, JsonNode root) {
        JsonNode d = root.get("descriptions");
        if (d == null || d.isNull()) {
            throw new BenchmarkException(file + ": missing field 'descriptions'");
        }
        if (!d.isArray() || d.isEmpty()) {
            throw new BenchmarkException(file + ": field 'descriptions' must be a non-empty list of strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            JsonNode e = d.get(i);
            if (!e.isTextual() || e.textValue().isBlank()) {
                throw new BenchmarkException(file + ": field 'descriptions': element " + i
                        + " is not a non-empty string");
            }
            out.add(e.textValue());
        }
        return out;
    }

    private static String requiredString(Path file, JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            throw new BenchmarkException(file + ": missing field '" + field + "'");
        }
        if (!v.isTextual() || v.textValue().isBlank()) {
            throw new BenchmarkException(file + ": field '" + field + "' must be a non-empty string");
        }
        return v.textValue();
    }

    private static String optionalString(Path file, JsonNode root, String field, String absent) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isTextual()) {
            throw new BenchmarkException(file + ": field '" + field + "' must be a string");
        }
        return v.textValue();
    }

    private static Map<String, String> dsKwargs(Path file, JsonNode root) {
        JsonNode v = root.get("ds_kwargs");
        if (v == null || v.isNull()) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw new BenchmarkException(file + ": field 'ds_kwargs' must be a mapping");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode()) {
                throw new BenchmarkException(file + ": field 'ds_kwargs." + e.getKey() + "' must be a scalar");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }
}
