package dev.zhyper.cli;

import dev.zhyper.core.data.Datasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code zhyper convert-tasks} writes training data that {@code zhyper train} reads. */
class ConvertTasksCommandTest {
    @TempDir
    Path tmp;

    @Test
    void convertsEveryTaskOfTheDirectoryAndReportsSkippedRecords() throws Exception {
        for (String name : new String[] {"task001_upper", "task002_len"}) {
            Path dir = Files.createDirectories(tmp.resolve("tasks").resolve(name));
            Files.writeString(dir.resolve("metadata.yaml"), """
                    descriptions:
                    - Follow the instruction.
                    - Do what the input asks.
                    user_prompt_template: '{input}'
                    response_field: output
                    """);
        }
        Files.createDirectories(tmp.resolve("data"));
        Files.writeString(tmp.resolve("data/task001_upper.jsonl"),
                "{\"input\": \"abc\", \"output\": \"ABC\"}\n{\"input\": \"dog\", \"output\": \"DOG\"}\n");
        Files.writeString(tmp.resolve("data/task002_len.jsonl"),
                "{\"input\": \"abc\", \"output\": \"3\"}\n{\"text\": \"no input field\", \"output\": \"1\"}\n");
        CliRun run = CliRun.of("convert-tasks", "--tasks-dir", tmp.resolve("tasks").toString(), "--data-dir",
                tmp.resolve("data").toString(), "--hold-out-descriptions", "1", "--out", tmp.resolve("sni").toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("3 examples of 2 tasks, 2 training descriptions"), run.out());
        assertTrue(run.err().contains("task002_len: 1 record(s) skipped"), run.err());
        assertEquals(3, Datasets.readExamples(tmp.resolve("sni/train.jsonl")).size());
        assertEquals(2, Datasets.readDescriptions(tmp.resolve("sni/descriptions.json")).size());

        CliRun missing = CliRun.of("convert-tasks", "--tasks-dir", tmp.resolve("tasks").toString(), "--data-dir",
                tmp.resolve("nowhere").toString(), "--out", tmp.resolve("x").toString());
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("dataset file not found"), missing.err());
    }
}
