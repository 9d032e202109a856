package dev.zhyper.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TrainOptionsTest {

    private static final TrainOptions BASE = new TrainOptions(100, 8, 2.5e-5, 0.2, 0.1, 1.0, 0.1, 5f, 42, 512,
            false, false, Recipe.DEFAULT.withLoraDropout(0.05));

    @Test
    void eachCopyChangesOnlyItsFields() {
        assertEquals(new TrainOptions(100, 8, 1e-3, 0.2, 0.1, 1.0, 0.1, 5f, 42, 512, false, false, BASE.recipe()),
                BASE.withLr(1e-3));
        assertEquals(new TrainOptions(100, 2, 2.5e-5, 0.2, 0.1, 1.0, 0.1, 5f, 42, 512, false, false, BASE.recipe()),
                BASE.withBatch(2));
        assertEquals(new TrainOptions(100, 8, 2.5e-5, 0.2, 0.1, 1.0, 0.1, 5f, 7, 512, false, false, BASE.recipe()),
                BASE.withSeed(7));
        assertEquals(new TrainOptions(9, 8, 2.5e-5, 0.2, 0.1, 1.0, 0.1, 5f, 42, 512, false, false, BASE.recipe()),
                BASE.withSteps(9));
        assertEquals(new TrainOptions(100, 8, 2.5e-5, 0.2, 0.3, 1.0, 0.0, 0f, 42, 512, false, false, BASE.recipe()),
                BASE.withRegularisation(0.0, 0f, 0.3));
        assertEquals(new TrainOptions(100, 8, 2.5e-5, 0.2, 0.1, 1.0, 0.1, 5f, 42, 512, true, false, BASE.recipe()),
                BASE.withConditioning(true, false));
        assertEquals(new TrainOptions(100, 8, 2.5e-5, 0.2, 0.1, 1.0, 0.1, 5f, 42, 512, false, true, BASE.recipe()),
                BASE.withConditioning(false, true));
        assertEquals(new TrainOptions(100, 8, 2.5e-5, 0.2, 0.1, 1.0, 0.1, 5f, 42, 512, false, false, Recipe.DEFAULT),
                BASE.withRecipe(Recipe.DEFAULT));
        assertEquals(new TrainOptions(100, 8, 2.5e-5, 0.2, 0.1, 1.0, 0.1, 5f, 42, 64, false, false, BASE.recipe()),
                BASE.withMaxLength(64));
        assertEquals(new TrainOptions(100, 8, 2.5e-5, 0.5, 0.1, 1.0, 0.1, 5f, 42, 512, false, false, BASE.recipe()),
                BASE.withWarmup(0.5));
    }

    @Test
    void copiesAreValidatedAndANullRecipeIsTheDefault() {
        assertThrows(IllegalArgumentException.class, () -> BASE.withLr(0));
        assertThrows(IllegalArgumentException.class, () -> BASE.withMaxLength(3));
        assertThrows(IllegalArgumentException.class, () -> BASE.withWarmup(1.5));
        assertEquals(Recipe.DEFAULT, BASE.withRecipe(null).recipe());
    }

    /** Checkpoint manifests carry the options as JSON (field "train"); the copy helper adds no property. */
    @Test
    void jsonRoundTrip() throws Exception {
        ObjectMapper json = new ObjectMapper();
        TrainOptions o = BASE.withSeed(3).withConditioning(true, true);
        assertEquals(o, json.treeToValue(json.valueToTree(o), TrainOptions.class));
        assertEquals(13, json.valueToTree(o).size());
    }
}
