package dev.zhyper.core.model;

import ai.djl.ndarray.NDArray;

/**
 * A low-rank update added to a base projection: {@code y = W x + delta(x)}. Implemented by the adapters;
 * the decoder knows nothing else about them.
 */
public interface ProjectionDelta {
    /** Whether (layer, module) is adapted at all; the decoder skips {@link #delta} otherwise. */
    boolean adapts(int layer, TargetModule module);

    /** The update for input x [B, T, d_in] at (layer, module), shaped [B, T, d_out]. */
    NDArray delta(int layer, TargetModule module, NDArray x);

    ProjectionDelta NONE = new ProjectionDelta() {
        @Override public boolean adapts(int layer, TargetModule module) { return false; }
        @Override public NDArray delta(int layer, TargetModule module, NDArray x) {
            throw new IllegalStateException("no adapter");
        }
    };
}
