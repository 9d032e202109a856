package dev.zhyper.cli.commands;

import dev.zhyper.core.adapter.ZParametrisation;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.training.Recipe;
import picocli.CommandLine.Option;

/**
 * The training recipe's options shared by {@code train} and {@code experiments} (docs/experiments.md "Recipe"):
 * regularisation (label smoothing, NEFTune, weight decay), per-group learning rate and weight decay, the z parametrisation, LoRA dropout, the L2 penalty on generated
 * factors, the description embedder and the trunk's widths. One place for their defaults. All of them are
 * recorded in the checkpoint (manifest: train.recipe, adapter.z_param, embedder, hyper).
 */
public final class RecipeOptions {

    /**
     * The trunk of {@code experiments} on the tiny base (hidden 128): task 32, hidden 64, out 512, 1 block.
     * With centring it matches the paper's trunk there (docs/experiments.md "Recipe ablation") at 100,016
     * trainable parameters, 19× fewer than T2L on the same trunk.
     */
    public static final HyperSpec TINY_TRUNK = HyperSpec.defaults(1).withWidths(32, 64, 512, 1);

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec spec;

    /** ×8: +6.5 points seen-task accuracy over ×1 on 3 seeds of the suite (docs/experiments.md "Recipe ablation"). */
    @Option(names = "--lr-shared-ratio", defaultValue = "8", paramLabel = "X",
            description = "Learning rate of the shared A, B as a multiple of --lr (LoRA+-style; the hypernetwork "
                    + "runs at --lr; 1 = one learning rate, as the grid in docs/results) (default ${DEFAULT-VALUE}).")
    double lrSharedRatio;

    @Option(names = "--label-smoothing", defaultValue = "0.1", paramLabel = "ε",
            description = "Label smoothing ε of the SFT loss (default ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--neftune", defaultValue = "5", paramLabel = "α",
            description = "NEFTune noise α on input embeddings, 0 = off (default ${DEFAULT-VALUE}).")
    float neftune;

    @Option(names = "--weight-decay", defaultValue = "0.1", paramLabel = "D",
            description = "AdamW weight decay of the hypernetwork (and of A, B unless --weight-decay-shared) "
                    + "(default ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--weight-decay-shared", paramLabel = "D",
            description = "AdamW weight decay of the shared A, B (default: the same as --weight-decay).")
    Double weightDecayShared;

    @Option(names = "--z-param", defaultValue = "head", paramLabel = "P",
            description = "How z comes from the head output h (zhyper-diag/square): head (z = h, B = 0), one-plus "
                    + "(z = 1 + h, B = 0) or zero-z (z = h starting at 0, B random) (default ${DEFAULT-VALUE}).")
    String zParam;

    @Option(names = "--lora-dropout", defaultValue = "0", paramLabel = "P",
            description = "Dropout on the adapter input x before A, training only (default ${DEFAULT-VALUE}).")
    double loraDropout;

    @Option(names = "--factor-l2", defaultValue = "1e-3", paramLabel = "λ",
            description = "Weight of an L2 penalty on the generated factors (z, z - 1 for one-plus, T2L's A and B), "
                    + "added to the loss (default ${DEFAULT-VALUE}).")
    double factorL2;

    @Option(names = "--condition-noise", defaultValue = "0", paramLabel = "σ",
            description = "Gaussian noise of norm about σ·‖c‖ added to each description embedding c while "
                    + "training, so that nearby phrasings map to nearby adapters; 0 = off (default ${DEFAULT-VALUE}).")
    double conditionNoise;

    @Option(names = "--embedder", defaultValue = "minilm", paramLabel = "E",
            description = "Description encoder: minilm, bge-small, e5-small or base (the base model's mean hidden "
                    + "states) (default ${DEFAULT-VALUE}).")
    String embedder;

    @Option(names = "--hyper-hidden", paramLabel = "N",
            description = "Hidden width of the hypernetwork's MLPs (default: train 512, the paper's; experiments 64, "
                    + "the trunk sized to the tiny base).")
    Integer hyperHidden;

    @Option(names = "--hyper-task-dim", paramLabel = "N",
            description = "Width of the task (description) encoding in the trunk (default: train 64; experiments 32).")
    Integer hyperTaskDim;

    @Option(names = "--hyper-out", paramLabel = "N",
            description = "Width of the trunk's output fed to the heads, d_MLP_out (default 512).")
    Integer hyperOut;

    /** Centring: +7.2 points seen-task accuracy for zhyper-diag over 3 seeds (docs/experiments.md "Recipe ablation"). */
    @Option(names = "--hyper-centre", defaultValue = "true", fallbackValue = "true", arity = "0..1",
            paramLabel = "true|false",
            description = "Centre and rescale the description embedding by the training descriptions' mean and "
                    + "spread before the hypernetwork (stored in the checkpoint) (default ${DEFAULT-VALUE}).")
    boolean hyperCentre;

    @Option(names = "--hyper-dropout", paramLabel = "P",
            description = "Dropout inside the hypernetwork's trunk, training only (default 0.05, the paper's).")
    Double hyperDropout;

    @Option(names = "--hyper-blocks", paramLabel = "N",
            description = "Residual blocks of the trunk (default: train 2; experiments 1).")
    Integer hyperBlocks;

    public Recipe recipe() {
        return new Recipe(lrSharedRatio, weightDecayShared, loraDropout, factorL2, conditionNoise);
    }

    public double labelSmoothing() { return labelSmoothing; }

    public float neftune() { return neftune; }

    public double weightDecay() { return weightDecay; }

    public ZParametrisation zParametrisation() { return ZParametrisation.parse(zParam); }

    /** Whether --z-param was given explicitly (then a method it does not apply to is an error, not skipped). */
    public boolean zParamGiven() {
        return spec != null && spec.findOption("--z-param") != null
                && spec.commandLine() != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption("--z-param");
    }

    /**
     * The trunk: the command's default widths ({@code HyperSpec.defaults} for train, {@link #TINY_TRUNK} for
     * experiments) with the given options applied; the embedding dimension is set by the embedder at training time.
     */
    public HyperSpec hyper(HyperSpec commandDefault) {
        HyperSpec h = commandDefault.withWidths(orKeep(hyperTaskDim), orKeep(hyperHidden), orKeep(hyperOut),
                hyperBlocks == null ? -1 : hyperBlocks).withCentred(hyperCentre);
        return hyperDropout == null ? h : h.withDropout(hyperDropout);
    }

    private static int orKeep(Integer v) { return v == null ? 0 : v; }

    public String embedder() {
        String e = embedder.trim();
        if (!e.equals("minilm") && !e.equals("bge-small") && !e.equals("e5-small") && !e.equals("base")) {
            throw new IllegalArgumentException("--embedder must be minilm, bge-small, e5-small or base, not " + e);
        }
        return e;
    }
}
