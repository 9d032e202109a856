package dev.zhyper.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading a JSON-lines file line by line with 1-based line numbers (blank lines skipped), for error messages. */
public final class JsonLines {
    private JsonLines() {}

    /** What to do with one non-blank line; its exceptions propagate to the caller of {@link #forEach}. */
    @FunctionalInterface
    public interface LineHandler {
        void accept(int number, String line) throws IOException;
    }

    /** Calls {@code handler} for every non-blank line of a UTF-8 file, in order. */
    public static void forEach(Path file, LineHandler handler) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (!line.isBlank()) {
                    handler.accept(n, line);
                }
            }
        }
    }
}
