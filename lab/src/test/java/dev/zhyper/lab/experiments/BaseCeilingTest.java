package dev.zhyper.lab.experiments;

import dev.zhyper.core.eval.ExactMatch;
import dev.zhyper.core.data.TrainingExample;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The in-context demonstrations of {@code ceiling --demos}: the task's other items, never the one asked. */
class BaseCeilingTest {
    private static final List<TrainingExample> POOL = List.of(
            new TrainingExample("reverse", "abc", "cba"),
            new TrainingExample("reverse", "dog", "god"),
            new TrainingExample("reverse", "mirror", "rorrim"));

    @Test
    void demonstrationsAreTheFollowingItemsCyclically() {
        assertEquals("dog\ngod\nmirror\nrorrim\n", BaseCeiling.demonstrations(POOL, 0, 2));
        assertEquals("abc\ncba\n", BaseCeiling.demonstrations(POOL, 2, 1));
        assertEquals("", BaseCeiling.demonstrations(POOL, 1, 0));
    }

    @Test
    void theAskedItemIsNeverItsOwnDemonstration() {
        String context = BaseCeiling.demonstrations(POOL, 1, 5);
        assertEquals("mirror\nrorrim\nabc\ncba\n", context);
    }

    @Test
    void theAnswerIsTheFirstLineOfTheGeneratedText() {
        assertEquals("cba", ExactMatch.answerIn(" cba \nxyz\nzyx"));
        assertEquals("cba", ExactMatch.answerIn("cba"));
        assertEquals("", ExactMatch.answerIn("\n"));
    }
}
