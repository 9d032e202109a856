package dev.zhyper.core.hyper;

/**
 * Widths of the hypernetwork (docs/method.md §2). Defaults: task 64, layer 32, type 32 (d_MLP_in = 128),
 * hidden 512, 2 residual blocks, d_MLP_out = 512, dropout 0.05.
 */
public record HyperSpec(int embedDim, int taskDim, int layerDim, int typeDim, int hiddenDim, int residualBlocks,
                        int outDim, double dropout) {

    public HyperSpec {
        if (embedDim <= 0) {
            throw new IllegalArgumentException("embedding dimension must be positive, got " + embedDim);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
    }

    public static HyperSpec defaults(int embedDim) {
        return new HyperSpec(embedDim, 64, 32, 32, 512, 2, 512, 0.05);
    }

    /** d_MLP_in: width of the concatenated [task | layer | type] input. */
    public int inputDim() { return taskDim + layerDim + typeDim; }
}
