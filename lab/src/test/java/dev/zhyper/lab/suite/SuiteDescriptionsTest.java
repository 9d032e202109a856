package dev.zhyper.lab.suite;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SuiteDescriptionsTest {
    static TaskSuite suite;

    @BeforeAll
    static void generate() {
        suite = TaskSuite.generate(TaskSuite.DEFAULT_SEED);
    }

    @Test
    void everyTaskHasEnoughDescriptions() {
        for (Task t : TaskSuite.tasks()) {
            assertTrue(suite.trainDescriptions().get(t.name()).size() >= 32, t.name());
            assertTrue(suite.heldOutDescriptions().get(t.name()).size() >= 8, t.name());
        }
        assertEquals(TaskSuite.tasks().size(), suite.trainDescriptions().size());
        assertEquals(TaskSuite.tasks().size(), suite.heldOutDescriptions().size());
    }

    @Test
    void noDescriptionIsSharedAcrossSplitsOrTasks() {
        Map<String, String> owner = new HashMap<>();
        for (Map<String, List<String>> split : List.of(suite.trainDescriptions(), suite.heldOutDescriptions())) {
            split.forEach((task, list) -> {
                for (String d : list) {
                    String prev = owner.put(d.toLowerCase(Locale.ROOT), task);
                    assertNull(prev, "'" + d + "' given to " + prev + " and " + task);
                }
            });
        }
        for (Task t : TaskSuite.tasks()) {
            Set<String> tr = lower(suite.trainDescriptions().get(t.name()));
            Set<String> he = lower(suite.heldOutDescriptions().get(t.name()));
            assertTrue(tr.stream().noneMatch(he::contains), t.name());
        }
    }

    @Test
    void descriptionsAreWellFormedSentencesInTheAlphabet() {
        forEachDescription((task, d) -> {
            assertTrue(TaskSuite.inAlphabet(d), task + ": " + d);
            assertTrue(Character.isUpperCase(d.charAt(0)), task + ": " + d);
            assertTrue(d.endsWith(".") || d.endsWith("?") || d.endsWith("!"), task + ": " + d);
            assertTrue(!d.contains("  ") && d.equals(d.strip()), task + ": " + d);
            assertTrue(!d.contains("obj") && !d.contains("Cmd"), task + ": " + d);
            for (String o : Descriptions.OBJECTS) {
                String wrong = ("aeiou".indexOf(o.charAt(0)) >= 0 ? "a " : "an ") + o;
                assertTrue(!(" " + d.toLowerCase(Locale.ROOT)).contains(" " + wrong + " ")
                        && !(" " + d.toLowerCase(Locale.ROOT)).contains(" " + wrong + "."), task + ": " + d);
            }
            assertTrue(d.length() >= 5 && d.length() <= 250, task + ": " + d);
        });
    }

    @Test
    void descriptionsMixStyles() {
        for (Task t : TaskSuite.tasks()) {
            List<String> all = new java.util.ArrayList<>(suite.trainDescriptions().get(t.name()));
            all.addAll(suite.heldOutDescriptions().get(t.name()));
            long shortOnes = all.stream().filter(d -> d.length() <= 55 && !d.endsWith("?")).count();
            long longOnes = all.stream().filter(d -> d.length() >= 90).count();
            long questions = all.stream().filter(d -> d.endsWith("?")).count();
            assertTrue(shortOnes >= 3 && longOnes >= 6 && questions >= 5,
                    t.name() + ": short " + shortOnes + ", long " + longOnes + ", questions " + questions);
            Set<String> openings = new HashSet<>();
            all.forEach(d -> openings.add(d.split(" ")[0]));
            assertTrue(openings.size() >= 12, t.name() + " opening words: " + openings);
            List<String> held = suite.heldOutDescriptions().get(t.name());
            assertTrue(held.stream().anyMatch(d -> d.endsWith("?")), t.name() + " held-out has a question");
            assertTrue(held.stream().anyMatch(d -> d.length() >= 90), t.name() + " held-out has a long one");
        }
    }

    @Test
    void parametricDescriptionsStateTheirParameter() {
        String[] num = PhraseBook.NUM;
        for (Task t : TaskSuite.tasks()) {
            if (t.param() == null) {
                continue;
            }
            Pattern p;
            if (t.param().matches("\\d")) {
                int k = Integer.parseInt(t.param());
                p = k == 1 ? Pattern.compile("\\b(1|one|single|next)\\b|\\b(first|last|initial|final) letter\\b|which letter does")
                        : Pattern.compile("\\b(" + k + "|" + num[k] + ")\\b");
            } else {
                p = Pattern.compile("\\b" + t.param() + "\\b");
            }
            forEach(t.name(), d -> assertTrue(p.matcher(d.toLowerCase(Locale.ROOT)).find(), t.name() + ": " + d));
        }
    }

    @Test
    void compositionDescriptionsAreBuiltFromBothSteps() {
        for (Task t : TaskSuite.tasks()) {
            if (t.isComposition()) {
                long twoStep = suite.trainDescriptions().get(t.name()).stream()
                        .filter(d -> d.contains("then") || d.contains("after") || d.contains("Next")).count();
                assertTrue(twoStep >= 16, t.name() + ": " + twoStep);
            }
        }
    }

    @Test
    void descriptionsAreReproducibleFromTheSeed() {
        TaskSuite again = TaskSuite.generate(TaskSuite.DEFAULT_SEED);
        assertEquals(suite.trainDescriptions(), again.trainDescriptions());
        assertEquals(suite.heldOutDescriptions(), again.heldOutDescriptions());
        TaskSuite other = TaskSuite.generate(TaskSuite.DEFAULT_SEED + 1);
        assertNotEquals(suite.heldOutDescriptions(), other.heldOutDescriptions());
    }

    private void forEach(String task, java.util.function.Consumer<String> c) {
        suite.trainDescriptions().get(task).forEach(c);
        suite.heldOutDescriptions().get(task).forEach(c);
    }

    private void forEachDescription(java.util.function.BiConsumer<String, String> c) {
        for (Task t : TaskSuite.tasks()) {
            forEach(t.name(), d -> c.accept(t.name(), d));
        }
    }

    private static Set<String> lower(List<String> l) {
        Set<String> s = new HashSet<>();
        l.forEach(x -> s.add(x.toLowerCase(Locale.ROOT)));
        return s;
    }
}
