package dev.zhyper.training;

import java.util.List;
import java.util.function.Consumer;

/**
 * Training hyper-parameters (docs/method.md §4). Defaults follow the paper: lr 2.5e-5 (raise it for tiny
 * models), warm-up 20% then linear decay, grad clip 1.0, weight decay 0.1, batch 8, label smoothing 0.1,
 * NEFTune α = 5.
 *
 * @param descriptionInPrompt the "prepended description" baseline: the description goes into the prompt
 *                            as the system message (instead of, or in addition to, conditioning through z)
 * @param conditionOnTaskName Zhyper-OHE: the hypernetwork sees the task name (one-hot), not a description
 * @param recipe              per-group learning rate and weight decay, LoRA dropout, L2 on generated factors
 */
public record TrainOptions(int steps, int batchSize, double lr, double warmupFraction, double weightDecay,
                           double gradClip, double labelSmoothing, float neftuneAlpha, long seed, int maxLength,
                           boolean descriptionInPrompt, boolean conditionOnTaskName, Recipe recipe) {

    /** The options with the default {@link Recipe} (one learning rate, no LoRA dropout, no factor penalty). */
    public TrainOptions(int steps, int batchSize, double lr, double warmupFraction, double weightDecay,
                        double gradClip, double labelSmoothing, float neftuneAlpha, long seed, int maxLength,
                        boolean descriptionInPrompt, boolean conditionOnTaskName) {
        this(steps, batchSize, lr, warmupFraction, weightDecay, gradClip, labelSmoothing, neftuneAlpha, seed,
                maxLength, descriptionInPrompt, conditionOnTaskName, Recipe.DEFAULT);
    }

    public TrainOptions {
        if (recipe == null) {
            recipe = Recipe.DEFAULT;
        }
        if (steps <= 0 || batchSize <= 0 || lr <= 0 || maxLength < 4) {
            throw new IllegalArgumentException("steps, batch size, lr must be positive and max length at least 4");
        }
        if (warmupFraction < 0 || warmupFraction > 1 || labelSmoothing < 0 || labelSmoothing >= 1) {
            throw new IllegalArgumentException("warm-up fraction in [0,1], label smoothing in [0,1)");
        }
    }

    public static TrainOptions defaults(int steps) {
        return new TrainOptions(steps, 8, 2.5e-5, 0.2, 0.1, 1.0, 0.1, 5f, 42, 512, false, false, Recipe.DEFAULT);
    }

    public TrainOptions withLr(double v) {
        return with(b -> b.lr = v);
    }

    public TrainOptions withBatch(int v) {
        return with(b -> b.batchSize = v);
    }

    public TrainOptions withSeed(long v) {
        return with(b -> b.seed = v);
    }

    public TrainOptions withSteps(int v) {
        return with(b -> b.steps = v);
    }

    public TrainOptions withRegularisation(double smoothing, float neftune, double decay) {
        return with(b -> {
            b.labelSmoothing = smoothing;
            b.neftuneAlpha = neftune;
            b.weightDecay = decay;
        });
    }

    public TrainOptions withConditioning(boolean inPrompt, boolean onTaskName) {
        return with(b -> {
            b.descriptionInPrompt = inPrompt;
            b.conditionOnTaskName = onTaskName;
        });
    }

    public TrainOptions withRecipe(Recipe r) {
        return with(b -> b.recipe = r);
    }

    public TrainOptions withMaxLength(int v) {
        return with(b -> b.maxLength = v);
    }

    public TrainOptions withWarmup(double fraction) {
        return with(b -> b.warmupFraction = fraction);
    }

    /** A copy with some fields changed, validated as any {@code TrainOptions}. */
    private TrainOptions with(Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return c.build();
    }

    /** The fields as mutable variables: the one place a copy lists them all. */
    private static final class Copy {
        int steps;
        int batchSize;
        double lr;
        double warmupFraction;
        double weightDecay;
        double gradClip;
        double labelSmoothing;
        float neftuneAlpha;
        long seed;
        int maxLength;
        boolean descriptionInPrompt;
        boolean conditionOnTaskName;
        Recipe recipe;

        Copy(TrainOptions o) {
            steps = o.steps;
            batchSize = o.batchSize;
            lr = o.lr;
            warmupFraction = o.warmupFraction;
            weightDecay = o.weightDecay;
            gradClip = o.gradClip;
            labelSmoothing = o.labelSmoothing;
            neftuneAlpha = o.neftuneAlpha;
            seed = o.seed;
            maxLength = o.maxLength;
            descriptionInPrompt = o.descriptionInPrompt;
            conditionOnTaskName = o.conditionOnTaskName;
            recipe = o.recipe;
        }

        TrainOptions build() {
            return new TrainOptions(steps, batchSize, lr, warmupFraction, weightDecay, gradClip, labelSmoothing,
                    neftuneAlpha, seed, maxLength, descriptionInPrompt, conditionOnTaskName, recipe);
        }
    }

    /**
     * AdamW's parameter groups: the shared LoRA factors ({@code lora.*}) and everything else (the hypernetwork).
     * The ratio and the shared weight decay are relative to a hypernetwork: without one (MTL, prepend) there is
     * one group at lr with {@link #weightDecay()}.
     */
    public List<AdamW.Group> parameterGroups(boolean hasHypernetwork) {
        if (!hasHypernetwork) {
            return List.of(new AdamW.Group("all", n -> true, 1.0, weightDecay));
        }
        double sharedDecay = recipe.sharedWeightDecay() == null ? weightDecay : recipe.sharedWeightDecay();
        return List.of(new AdamW.Group("shared", n -> n.startsWith("lora."), recipe.sharedLrRatio(), sharedDecay),
                new AdamW.Group("hyper", n -> true, 1.0, weightDecay));
    }
}
