package dev.zhyper.lab.suite;

import dev.zhyper.core.data.Datasets;
import dev.zhyper.core.data.TrainingExample;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DomainTextTest {

    static Path suiteDir() {
        Path p = Path.of("..", "data", "suite");
        return Files.isRegularFile(p.resolve("train.jsonl")) ? p : Path.of("data", "suite");
    }

    @Test
    void fixedInputsDrawOnlyTheSuitesTrainingLinesAndDescriptions() {
        Path dir = suiteDir();
        Set<String> allowed = new HashSet<>();
        for (TrainingExample e : Datasets.readExamples(dir.resolve("train.jsonl"))) {
            allowed.add(e.prompt() + "\n" + e.response());
        }
        Datasets.readDescriptions(dir.resolve("descriptions.train.json")).forEach((task, list) -> {
            if (!TaskSuite.task(task).heldOut()) {
                allowed.addAll(list);
            }
        });
        DomainText text = DomainText.fromSuite(dir, false);
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 5000; i++) {
            String line = text.next(rng);
            assertTrue(allowed.contains(line), line);
        }
    }

    @Test
    void freshInputsAreNewNeverEvaluatedAndComputedByATrainingTask() {
        Path dir = suiteDir();
        Set<String> evaluated = new HashSet<>();
        for (String split : List.of("validation.jsonl", "test.jsonl")) {
            Datasets.readExamples(dir.resolve(split)).forEach(e -> evaluated.add(e.prompt()));
        }
        Set<String> trainInputs = new HashSet<>();
        Datasets.readExamples(dir.resolve("train.jsonl")).forEach(e -> trainInputs.add(e.prompt()));
        DomainText text = DomainText.fromSuite(dir, true);
        SplittableRandom rng = new SplittableRandom(5);
        int examples = 0;
        int unseenInputs = 0;
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            String line = text.next(rng);
            int nl = line.indexOf('\n');
            if (nl < 0) {
                continue; // a description
            }
            examples++;
            String in = line.substring(0, nl);
            String out = line.substring(nl + 1);
            assertFalse(evaluated.contains(in), "validation/test input drawn: " + in);
            assertTrue(text.reserved(in) == evaluated.contains(in));
            assertTrue(in.length() >= TaskSuite.MIN_INPUT && in.length() <= TaskSuite.MAX_INPUT, in);
            assertTrue(TaskSuite.trainingTasks().stream().anyMatch(t -> t.apply(in).equals(out)),
                    "no training task maps " + in + " to " + out);
            unseenInputs += trainInputs.contains(in) ? 0 : 1;
            distinct.add(line);
        }
        assertTrue(examples > 15_000, "examples " + examples);
        assertTrue(unseenInputs > examples / 2, "most inputs are new: " + unseenInputs + " of " + examples);
        assertTrue(distinct.size() > 10_000, "distinct example lines " + distinct.size());
    }

    @Test
    void documentsHoldSeveralPairsOfOneTask() {
        DomainText text = DomainText.fromSuite(suiteDir(), true, 3);
        SplittableRandom rng = new SplittableRandom(11);
        int documents = 0;
        for (int i = 0; i < 2000; i++) {
            String line = text.next(rng);
            if (!line.contains("\n")) {
                continue; // a description
            }
            String[] parts = line.split("\n", -1);
            assertEquals(6, parts.length, line);
            boolean oneTaskFitsAll = TaskSuite.trainingTasks().stream().anyMatch(t ->
                    t.apply(parts[0]).equals(parts[1]) && t.apply(parts[2]).equals(parts[3])
                            && t.apply(parts[4]).equals(parts[5]));
            assertTrue(oneTaskFitsAll, "pairs of different tasks: " + line);
            documents++;
        }
        assertTrue(documents > 1500, "documents " + documents);
        assertThrows(IllegalArgumentException.class, () -> DomainText.fromSuite(suiteDir(), false, 2));
    }

    @Test
    void theSameSeedGivesTheSameText() {
        DomainText text = DomainText.fromSuite(suiteDir(), true);
        SplittableRandom a = new SplittableRandom(9);
        SplittableRandom b = new SplittableRandom(9);
        for (int i = 0; i < 100; i++) {
            assertEquals(text.next(a), text.next(b));
        }
    }
}
