package dev.zhyper.core.hyper;

/**
 * Widths of the hypernetwork (docs/method.md §2). Defaults: task 64, layer 32, type 32 (d_MLP_in = 128),
 * hidden 512, 2 residual blocks, d_MLP_out = 512, dropout 0.05, no centring.
 *
 * @param centred the context embedding is centred and rescaled before the task encoder, c' = (c − μ) / s, with μ
 *                the mean of the training descriptions' embeddings and s their RMS spread per dimension (frozen
 *                parameters {@code hyper.condition.mean}, {@code hyper.condition.scale}, set once before training;
 *                docs/method.md §2). Sentence embeddings share a large common direction; without it the task
 *                encoder first has to learn to cancel it.
 */
public record HyperSpec(int embedDim, int taskDim, int layerDim, int typeDim, int hiddenDim, int residualBlocks,
                        int outDim, double dropout, boolean centred) {

    /** A spec without centring (checkpoints written before it existed read back this way). */
    public HyperSpec(int embedDim, int taskDim, int layerDim, int typeDim, int hiddenDim, int residualBlocks,
                     int outDim, double dropout) {
        this(embedDim, taskDim, layerDim, typeDim, hiddenDim, residualBlocks, outDim, dropout, false);
    }

    public HyperSpec {
        if (embedDim <= 0) {
            throw new IllegalArgumentException("embedding dimension must be positive, got " + embedDim);
        }
        if (taskDim <= 0 || layerDim <= 0 || typeDim <= 0 || hiddenDim <= 0 || outDim <= 0 || residualBlocks < 0) {
            throw new IllegalArgumentException("hypernetwork widths must be positive (residual blocks >= 0)");
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
    }

    public static HyperSpec defaults(int embedDim) {
        return new HyperSpec(embedDim, 64, 32, 32, 512, 2, 512, 0.05);
    }

    /** The same widths for another context-embedding dimension (the embedder decides d_c). */
    public HyperSpec withEmbedDim(int d) {
        return new HyperSpec(d, taskDim, layerDim, typeDim, hiddenDim, residualBlocks, outDim, dropout, centred);
    }

    /**
     * The trunk's widths as options ({@code --hyper-hidden} and friends); a non-positive value keeps this spec's.
     * The paper's widths ({@link #defaults}) suit large bases; a tiny base can take a smaller trunk.
     */
    public HyperSpec withWidths(int task, int hidden, int out, int blocks) {
        return new HyperSpec(embedDim, task > 0 ? task : taskDim, layerDim, typeDim, hidden > 0 ? hidden : hiddenDim,
                blocks >= 0 ? blocks : residualBlocks, out > 0 ? out : outDim, dropout, centred);
    }

    /** The same spec with another trunk dropout (training only). */
    public HyperSpec withDropout(double p) {
        return new HyperSpec(embedDim, taskDim, layerDim, typeDim, hiddenDim, residualBlocks, outDim, p, centred);
    }

    /** The same spec with or without centring of the context embedding. */
    public HyperSpec withCentred(boolean c) {
        return new HyperSpec(embedDim, taskDim, layerDim, typeDim, hiddenDim, residualBlocks, outDim, dropout, c);
    }

    /** d_MLP_in: width of the concatenated [task | layer | type] input. */
    public int inputDim() { return taskDim + layerDim + typeDim; }
}
