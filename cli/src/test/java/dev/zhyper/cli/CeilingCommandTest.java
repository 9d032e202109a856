package dev.zhyper.cli;

import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.lab.suite.TaskSuite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code zhyper ceiling} prints one row per answer prefix; a random model finishes (almost) nothing. */
class CeilingCommandTest {
    @TempDir
    Path tmp;

    @Test
    void printsOneRowPerPrefixAndRefusesAMissingModel() {
        Path suite = Path.of("..", "data", "suite");
        if (!Files.isRegularFile(suite.resolve("tasks.json"))) {
            suite = Path.of("data", "suite");
        }
        Path model = RandomModels.writeLlama(tmp.resolve("tiny"), RandomModels.LlamaShape.tiny(0),
                TaskSuite.ALPHABET + "\n", 3);
        CliRun run = CliRun.of("ceiling", "--model", model.toString(), "--suite", suite.toString(), "--prefix", "0,3",
                "--per-task", "1");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("| 0 | 0.0 | 0.0 |"), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("| 3 | ")), run.out());

        CliRun withDemos = CliRun.of("ceiling", "--model", model.toString(), "--suite", suite.toString(), "--prefix",
                "0", "--demos", "2", "--per-task", "1");
        assertEquals(0, withDemos.exitCode(), withDemos.err());
        assertTrue(withDemos.out().lines().anyMatch(l -> l.startsWith("| 0 | ")), withDemos.out());
        CliRun negative = CliRun.of("ceiling", "--model", model.toString(), "--suite", suite.toString(), "--demos",
                "-1");
        assertEquals(1, negative.exitCode());
        assertTrue(negative.err().contains("--demos non-negative"), negative.err());

        CliRun missing = CliRun.of("ceiling", "--model", tmp.resolve("none").toString(), "--suite", suite.toString());
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("not a model directory"), missing.err());
    }
}
