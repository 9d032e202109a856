package dev.zhyper.training;

/**
 * The parts of the training recipe beyond the paper's defaults (docs/method.md §4, docs/experiments.md
 * "Recipe ablation"). {@link #DEFAULT} reproduces the committed grid's training exactly; the CLI's {@code train}
 * and {@code experiments} default to a shared learning-rate ratio of 8 (measured there: +6.5 points over 3 seeds).
 *
 * @param sharedLrRatio     learning rate of the shared LoRA factors (A, B; VeRA's b) as a multiple of the
 *                          hypernetwork's ({@code --lr}), a LoRA+-style ratio: AdamW's parameter group
 *                          {@code lora.*} runs at lr × ratio (1 = one learning rate for everything)
 * @param sharedWeightDecay AdamW weight decay of the shared group, or null for the same as the hypernetwork's
 * @param loraDropout       dropout on the adapter's input x before A (training only; 0 = off)
 * @param factorL2          weight λ of an L2 penalty on the generated factors, added to the loss:
 *                          λ · mean over contexts and sites of ‖h‖² (h = z, z − 1 for one-plus, T2L's A and B)
 * @param conditionNoise    relative σ of Gaussian noise added to each description embedding c during training
 *                          (training only; 0 = off): c + σ · RMS(c) · ε, ε ~ N(0, I), a perturbation of norm
 *                          ≈ σ · ‖c‖, so that nearby phrasings must map to nearby adapters
 */
public record Recipe(double sharedLrRatio, Double sharedWeightDecay, double loraDropout, double factorL2,
                     double conditionNoise) {

    public static final Recipe DEFAULT = new Recipe(1.0, null, 0.0, 0.0, 0.0);

    /** The recipe before the condition noise existed (checkpoints written then read back with σ = 0). */
    public Recipe(double sharedLrRatio, Double sharedWeightDecay, double loraDropout, double factorL2) {
        this(sharedLrRatio, sharedWeightDecay, loraDropout, factorL2, 0.0);
    }

    public Recipe {
        if (!(sharedLrRatio > 0) || Double.isInfinite(sharedLrRatio)) {
            throw new IllegalArgumentException("shared learning-rate ratio must be positive, got " + sharedLrRatio);
        }
        if (sharedWeightDecay != null && !(sharedWeightDecay >= 0)) {
            throw new IllegalArgumentException("shared weight decay must be non-negative, got " + sharedWeightDecay);
        }
        if (!(loraDropout >= 0 && loraDropout < 1)) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + loraDropout);
        }
        if (!(factorL2 >= 0) || Double.isInfinite(factorL2)) {
            throw new IllegalArgumentException("factor L2 weight must be non-negative, got " + factorL2);
        }
        if (!(conditionNoise >= 0) || Double.isInfinite(conditionNoise)) {
            throw new IllegalArgumentException("condition noise must be non-negative, got " + conditionNoise);
        }
    }

    public Recipe withSharedLrRatio(double v) {
        return new Recipe(v, sharedWeightDecay, loraDropout, factorL2, conditionNoise);
    }

    public Recipe withSharedWeightDecay(Double v) {
        return new Recipe(sharedLrRatio, v, loraDropout, factorL2, conditionNoise);
    }

    public Recipe withLoraDropout(double v) {
        return new Recipe(sharedLrRatio, sharedWeightDecay, v, factorL2, conditionNoise);
    }

    public Recipe withFactorL2(double v) {
        return new Recipe(sharedLrRatio, sharedWeightDecay, loraDropout, v, conditionNoise);
    }

    public Recipe withConditionNoise(double v) {
        return new Recipe(sharedLrRatio, sharedWeightDecay, loraDropout, factorL2, v);
    }
}
