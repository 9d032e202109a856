package dev.zhyper.training;

/**
 * Linear warm-up from {@code origin} over {@code warmupSteps} updates, then constant at {@code peak}: the schedule of
 * an open-ended stream of training rounds (ADR 0011). Unlike {@link LrSchedule} it has no horizon, so rounds that
 * continue each other follow ONE curve (no warm-up and decay per round): lr(step) = peak · min(1, (step − origin + 1)
 * / warmup).
 */
public record WarmupConstant(double peak, long origin, int warmupSteps) implements LearningRate {

    public WarmupConstant {
        if (!(peak > 0) || warmupSteps < 0) {
            throw new IllegalArgumentException("peak must be positive and warm-up steps >= 0");
        }
    }

    @Override
    public double at(long step) {
        long k = step - origin + 1;
        if (warmupSteps == 0 || k >= warmupSteps) return peak;
        return peak * Math.max(1, k) / warmupSteps;
    }
}
