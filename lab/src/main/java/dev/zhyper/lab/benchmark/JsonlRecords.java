package dev.zhyper.lab.benchmark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zhyper.core.data.JsonLines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A JSON-lines dataset file (one JSON object per line, blank lines ignored), as {@code Dataset.to_json} writes. */
public final class JsonlRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonlRecords() {}

    /** One record with its 1-based line number. */
    public record Line(int number, JsonNode record) {}

    /** @throws BenchmarkException naming the file and line of a missing file or a malformed line */
    public static List<Line> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BenchmarkException(file + ": dataset file not found");
        }
        List<Line> out = new ArrayList<>();
        try {
            JsonLines.forEach(file, (n, line) -> {
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new BenchmarkException(file + ":" + n + ": malformed JSON: " + e.getOriginalMessage(), e);
                }
                if (node == null || !node.isObject()) {
                    throw new BenchmarkException(file + ":" + n + ": expected a JSON object per line");
                }
                out.add(new Line(n, node));
            });
        } catch (IOException e) {
            throw new BenchmarkException(file + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }
}
