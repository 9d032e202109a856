package dev.zhyper.core.checkpoint;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * What a checkpoint keeps of an Adam-type optimizer for an exact resume: the first and second moments per
 * parameter name (tensors {@code m/<name>} and {@code v/<name>} in {@value AdapterCheckpoint#OPTIMIZER}) and the
 * number of updates applied (manifest field {@code optimizer_step}). The training module's AdamW implements it; the
 * engine only writes and reads it, so serving never depends on training.
 */
public interface OptimizerState {

    /** Number of updates applied so far. */
    long step();

    void setStep(long step);

    /** The first moments by parameter name; restoring writes into these arrays. */
    Map<String, NDArray> firstMoments();

    /** The second moments by parameter name; restoring writes into these arrays. */
    Map<String, NDArray> secondMoments();
}
