package dev.zhyper.lab.experiments;

/** Progress of a grid (all methods have empty defaults). */
public interface ExperimentListener {
    /** A run starts; {@code steps} 0 for the base model. */
    default void runStarted(int index, int total, ExperimentPlan.Cell cell, int steps) {}

    /** One optimizer step done ({@code step} counts from 0). */
    default void step(ExperimentPlan.Cell cell, long step, int steps, double loss, long millis) {}

    /** Evaluation progress of the current run. */
    default void evaluating(ExperimentPlan.Cell cell, int done, int total) {}

    /** A run is finished (skipped: its result.json already existed). */
    default void runFinished(int index, int total, ExperimentPlan.Cell cell, RunResult result, boolean skipped) {}

    /** The grid is done. */
    default void finished() {}

    ExperimentListener NONE = new ExperimentListener() {};
}
