package dev.zhyper.core.embed;

import java.util.List;

/**
 * Maps task descriptions (or labels) to fixed-size float vectors that condition the hypernetwork.
 * Implementations are thread-safe. Zhyper's convention: vectors are L2-normalised and then scaled
 * by {@code sqrt(dim())}, so each has Euclidean norm {@code sqrt(dim())} (mean square 1 per
 * component).
 */
public interface Embedder extends AutoCloseable {

    /** Stable identifier of the embedding function (part of cache keys; differs when outputs do). */
    String id();

    /** Length of every returned vector. */
    int dim();

    /** Embeds a batch; result {@code i} belongs to {@code texts.get(i)}. Arrays are fresh copies. */
    float[][] embed(List<String> texts);

    /** Embeds one text. */
    default float[] embed(String text) {
        return embed(List.of(text))[0];
    }

    /** Releases resources; the default does nothing. */
    @Override
    default void close() {}
}
