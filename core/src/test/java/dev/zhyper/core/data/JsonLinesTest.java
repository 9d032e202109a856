package dev.zhyper.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Line numbers count blank lines, so an error message points at the line an editor shows. */
class JsonLinesTest {
    @TempDir
    Path tmp;

    @Test
    void skipsBlankLinesButCountsThem() throws IOException {
        Path f = Files.writeString(tmp.resolve("a.jsonl"), "{\"a\":1}\n\n  \n{\"a\":2}\n");
        List<String> seen = new ArrayList<>();
        JsonLines.forEach(f, (n, line) -> seen.add(n + ":" + line));
        assertEquals(List.of("1:{\"a\":1}", "4:{\"a\":2}"), seen);
    }

    @Test
    void readExamplesNamesTheFileAndLineOfABadRecord() throws IOException {
        Path f = Files.writeString(tmp.resolve("b.jsonl"),
                "{\"task\":\"t\",\"prompt\":\"p\",\"response\":\"r\"}\n\n{\"task\":\"t\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.readExamples(f));
        assertTrue(e.getMessage().startsWith(f + ":3: "), e.getMessage());
    }
}
