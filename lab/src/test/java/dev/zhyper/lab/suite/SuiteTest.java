package dev.zhyper.lab.suite;

import dev.zhyper.core.data.Datasets;
import dev.zhyper.core.data.TrainingExample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SuiteTest {
    static TaskSuite suite;

    @BeforeAll
    static void generate() {
        suite = TaskSuite.generate(TaskSuite.DEFAULT_SEED);
    }

    @Test
    void taskCounts() {
        assertTrue(TaskSuite.trainingTasks().size() >= 30, "training tasks: " + TaskSuite.trainingTasks().size());
        assertTrue(TaskSuite.heldOutTasks().size() >= 6, "held-out tasks: " + TaskSuite.heldOutTasks().size());
        Set<String> names = TaskSuite.tasks().stream().map(Task::name).collect(Collectors.toSet());
        assertEquals(TaskSuite.tasks().size(), names.size(), "task names are unique");
        assertTrue(TaskSuite.heldOutTasks().stream().anyMatch(t -> t.reachability().kind().equals("parameter")));
        assertTrue(TaskSuite.heldOutTasks().stream().anyMatch(t -> t.reachability().kind().equals("composition")));
    }

    @Test
    void inputPoolIsSharedAndWellFormed() {
        List<String> pool = suite.pool();
        assertEquals(TaskSuite.POOL_TRAIN + TaskSuite.POOL_VALIDATION + TaskSuite.POOL_TEST, pool.size());
        assertEquals(pool.size(), new HashSet<>(pool).size(), "pool entries are distinct");
        for (String s : pool) {
            assertTrue(s.matches("[a-z]{3,6}"), s);
            assertFalse(Ops.removeVowels(s).isEmpty(), s);
            assertTrue(Ops.countVowels(s).compareTo("0") > 0, s);
        }
        assertTrue(pool.stream().filter(Words.COMMON::contains).count() == Words.COMMON.size(), "all common words in the pool");
        Set<String> tr = new HashSet<>(suite.poolTrain());
        Set<String> va = new HashSet<>(suite.poolValidation());
        Set<String> te = new HashSet<>(suite.poolTest());
        for (Task t : TaskSuite.tasks()) {
            assertTrue(tr.containsAll(suite.trainInputs(t.name())), t.name());
            assertTrue(va.containsAll(suite.validationInputs(t.name())), t.name());
            assertTrue(te.containsAll(suite.testInputs(t.name())), t.name());
        }
        assertTrue(disjoint(tr, va) && disjoint(tr, te) && disjoint(va, te), "pool parts are disjoint");
    }

    @Test
    void splitsPerTaskAreSizedAndDisjoint() {
        for (Task t : TaskSuite.tasks()) {
            List<String> tr = suite.trainInputs(t.name());
            List<String> va = suite.validationInputs(t.name());
            List<String> te = suite.testInputs(t.name());
            assertEquals(TaskSuite.DEFAULT_TRAIN, new HashSet<>(tr).size(), t.name());
            assertEquals(TaskSuite.DEFAULT_VALIDATION, new HashSet<>(va).size(), t.name());
            assertEquals(TaskSuite.DEFAULT_TEST, new HashSet<>(te).size(), t.name());
            assertTrue(disjoint(new HashSet<>(tr), new HashSet<>(va)) && disjoint(new HashSet<>(tr), new HashSet<>(te))
                    && disjoint(new HashSet<>(va), new HashSet<>(te)), t.name());
        }
    }

    @Test
    void heldOutTasksOnlyInValidationAndTest() {
        Set<String> held = TaskSuite.heldOutTasks().stream().map(Task::name).collect(Collectors.toSet());
        assertTrue(suite.train().stream().noneMatch(e -> held.contains(e.task())));
        Set<String> inVal = suite.validation().stream().map(TrainingExample::task).collect(Collectors.toSet());
        Set<String> inTest = suite.test().stream().map(TrainingExample::task).collect(Collectors.toSet());
        assertTrue(inVal.containsAll(held) && inTest.containsAll(held));
        assertEquals(TaskSuite.trainingTasks().size() * TaskSuite.DEFAULT_TRAIN, suite.train().size());
    }

    @Test
    void heldOutTasksAreReachable() {
        List<String> pool = suite.pool();
        for (Task t : TaskSuite.heldOutTasks()) {
            Task.Reachability r = t.reachability();
            assertNotNull(r, t.name());
            assertFalse(r.why().isBlank(), t.name());
            assertFalse(r.seenTasks().isEmpty(), t.name());
            for (String s : r.seenTasks()) {
                assertFalse(TaskSuite.task(s).heldOut(), t.name() + " builds on training task " + s);
            }
            switch (r.kind()) {
                case "parameter" -> {
                    assertEquals(t.family(), r.family());
                    assertEquals(t.param(), r.param());
                    assertTrue(r.seenParams().size() >= 2, t.name() + " family has at least two seen values");
                    assertFalse(r.seenParams().contains(t.param()), t.name());
                    var family = TaskSuite.parametricFamilies().get(t.family());
                    assertNotNull(family, t.name());
                    for (int i = 0; i < r.seenTasks().size(); i++) {
                        Task seen = TaskSuite.task(r.seenTasks().get(i));
                        assertEquals(t.family(), seen.family());
                        assertEquals(r.seenParams().get(i), seen.param());
                        for (String in : pool) {
                            assertEquals(family.apply(seen.param()).apply(in), seen.apply(in));
                        }
                    }
                    for (String in : pool) {
                        assertEquals(family.apply(t.param()).apply(in), t.apply(in), t.name() + " on " + in);
                    }
                }
                case "composition" -> {
                    assertEquals(r.seenTasks(), t.steps(), t.name());
                    assertTrue(t.steps().size() >= 2);
                    for (String in : pool) {
                        String v = in;
                        for (String s : t.steps()) {
                            v = TaskSuite.task(s).apply(v);
                        }
                        assertEquals(v, t.apply(in), t.name() + " on " + in);
                    }
                }
                default -> throw new AssertionError("unknown reachability kind " + r.kind());
            }
        }
        for (Task t : TaskSuite.trainingTasks()) {
            assertNull(t.reachability(), t.name());
        }
    }

    @Test
    void trainingCompositionsEqualTheirSteps() {
        for (Task t : TaskSuite.trainingTasks()) {
            if (!t.isComposition()) {
                continue;
            }
            for (String in : suite.pool()) {
                String v = in;
                for (String s : t.steps()) {
                    v = TaskSuite.task(s).apply(v);
                }
                assertEquals(v, t.apply(in), t.name());
            }
        }
    }

    @Test
    void outputsAreDeterministicShortAndInTheAlphabet() {
        for (Task t : TaskSuite.tasks()) {
            for (String in : suite.pool()) {
                String out = t.apply(in);
                assertEquals(out, t.apply(in), t.name());
                assertFalse(out.isEmpty(), t.name() + " on " + in);
                assertTrue(out.length() <= TaskSuite.MAX_OUTPUT, t.name() + " on " + in + " -> " + out);
                assertTrue(TaskSuite.inAlphabet(out), t.name() + " on " + in + " -> " + out);
                assertTrue(TaskSuite.inAlphabet(in));
            }
        }
        for (List<TrainingExample> split : List.of(suite.train(), suite.validation(), suite.test())) {
            for (TrainingExample e : split) {
                assertTrue(TaskSuite.inAlphabet(e.prompt()) && TaskSuite.inAlphabet(e.response()), e.toString());
                assertEquals(TaskSuite.task(e.task()).apply(e.prompt()), e.response());
            }
        }
    }

    @Test
    void alphabetIsAsDocumented() {
        assertEquals(26 + 26 + 10 + 1 + 8, TaskSuite.ALPHABET.length());
        assertEquals(TaskSuite.ALPHABET.length(), TaskSuite.ALPHABET.chars().distinct().count());
        assertTrue(TaskSuite.inAlphabet("Hello, world: it's 42; ok? yes! a-b."));
        assertFalse(TaskSuite.inAlphabet("a\"b"));
        assertFalse(TaskSuite.inAlphabet("tab\there"));
    }

    @Test
    void theInputDoesNotRevealTheTask() {
        List<Task> train = TaskSuite.trainingTasks();
        List<String> sample = suite.pool().subList(0, 300);
        int rich = 0;
        for (String in : sample) {
            Set<String> outs = new HashSet<>();
            train.forEach(t -> outs.add(t.apply(in)));
            if (outs.size() >= 20) {
                rich++;
            }
        }
        assertTrue(rich >= 0.95 * sample.size(), "inputs where >= 20 training tasks disagree: " + rich);
        // no two tasks are identical, and every pair differs on a good share of the inputs
        List<Task> all = TaskSuite.tasks();
        List<String> pool = suite.pool();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                int differ = 0;
                for (String in : pool) {
                    differ += all.get(i).apply(in).equals(all.get(j).apply(in)) ? 0 : 1;
                }
                assertTrue(differ >= 0.25 * pool.size(), all.get(i) + " vs " + all.get(j) + " differ on " + differ);
            }
        }
        // a set of 20 training tasks whose outputs are pairwise different on most inputs
        List<Task> twenty = List.of("reverse", "upper", "capitalize", "upper_last", "first_1", "first_2", "last_2",
                "sort_asc", "count_letters", "count_vowels", "caesar_1", "caesar_2", "caesar_3", "caesar_5",
                "double_letters", "duplicate", "append_x", "prepend_z", "mirror", "hyphenate")
                .stream().map(TaskSuite::task).toList();
        int pairwise = 0;
        for (String in : sample) {
            Set<String> outs = new HashSet<>();
            twenty.forEach(t -> outs.add(t.apply(in)));
            pairwise += outs.size() == twenty.size() ? 1 : 0;
        }
        assertTrue(pairwise >= 0.8 * sample.size(), "inputs with 20 pairwise-different outputs: " + pairwise);
    }

    @Test
    void sameSeedGivesByteIdenticalFiles(@TempDir Path tmp) throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path c = tmp.resolve("c");
        SuiteWriter.write(TaskSuite.generate(TaskSuite.DEFAULT_SEED), a);
        SuiteWriter.write(TaskSuite.generate(TaskSuite.DEFAULT_SEED), b);
        SuiteWriter.write(TaskSuite.generate(TaskSuite.DEFAULT_SEED + 1), c);
        for (String f : SuiteWriter.FILES) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        }
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a.resolve("train.jsonl")),
                Files.readAllBytes(c.resolve("train.jsonl"))), "another seed gives other data");
        // the files parse with the project's readers and hold what the suite holds
        List<TrainingExample> train = Datasets.readExamples(a.resolve("train.jsonl"));
        assertEquals(suite.train(), train);
        assertEquals(suite.test(), Datasets.readExamples(a.resolve("test.jsonl")));
        Map<String, List<String>> d = Datasets.readDescriptions(a.resolve("descriptions.heldout.json"));
        assertEquals(suite.heldOutDescriptions(), d);
        assertEquals(suite.trainDescriptions(), Datasets.readDescriptions(a.resolve("descriptions.train.json")));
        var tasks = new com.fasterxml.jackson.databind.ObjectMapper().readTree(a.resolve("tasks.json").toFile());
        assertEquals(TaskSuite.tasks().size(), tasks.size());
        for (var n : tasks) {
            Task t = TaskSuite.task(n.get("name").asText());
            assertEquals(t.heldOut(), n.get("held_out").asBoolean());
            assertEquals(t.heldOut(), !n.get("reachable_from").isNull());
            assertEquals(t.apply(n.get("example").get("prompt").asText()), n.get("example").get("response").asText());
        }
        long total = 0;
        for (String f : SuiteWriter.FILES) {
            total += Files.size(a.resolve(f));
        }
        assertTrue(total < 2_000_000, "suite size " + total);
    }

    /** The committed files under data/suite must be exactly what the generator writes for the default seed. */
    @Test
    void committedFilesMatchTheGenerator(@TempDir Path tmp) throws IOException {
        Path committed = Path.of("..", "data", "suite");
        if (!Files.isDirectory(committed)) {
            committed = Path.of("data", "suite");
        }
        if (!Files.isDirectory(committed)) {
            return; // not run from a checkout that holds the data
        }
        SuiteWriter.write(suite, tmp);
        for (String f : SuiteWriter.FILES) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve(f)), Files.readAllBytes(committed.resolve(f)),
                    f + " differs from the generator: regenerate data/suite (see its README)");
        }
    }

    @Test
    void pretrainCorpusIsUnconditionedAndReproducible(@TempDir Path tmp) throws IOException {
        Path a = tmp.resolve("a.txt");
        Path b = tmp.resolve("b.txt");
        long lines = new PretrainCorpus(suite, 7).write(a, 200_000);
        new PretrainCorpus(suite, 7).write(b, 200_000);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertTrue(lines > 10_000);
        Set<String> names = TaskSuite.tasks().stream().map(Task::name).collect(Collectors.toSet());
        Set<String> trainPool = new HashSet<>(suite.poolTrain());
        Set<String> trainingOutputs = new HashSet<>();
        for (String line : Files.readAllLines(a)) {
            assertTrue(TaskSuite.inAlphabet(line), line);
            String[] parts = line.split(" ");
            assertEquals(2, parts.length, line);
            assertTrue(trainPool.contains(parts[0]), "only train-part inputs: " + line);
            assertFalse(names.contains(parts[0]) && !trainPool.contains(parts[0]), line);
            trainingOutputs.add(line);
        }
        for (String line : new ArrayList<>(trainingOutputs).subList(0, 200)) {
            String[] parts = line.split(" ");
            assertTrue(TaskSuite.trainingTasks().stream().anyMatch(t -> t.apply(parts[0]).equals(parts[1])), line);
        }
    }

    private static boolean disjoint(Set<String> a, Set<String> b) {
        return a.stream().noneMatch(b::contains);
    }
}
