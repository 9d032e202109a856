package dev.zhyper.training;

/** Linear warm-up to the peak learning rate over a fraction of the steps, then linear decay to zero. */
public record LrSchedule(double peak, int warmupSteps, int totalSteps) implements LearningRate {

    public static LrSchedule of(double peak, double warmupFraction, int totalSteps) {
        return new LrSchedule(peak, (int) Math.round(warmupFraction * totalSteps), totalSteps);
    }

    /** Learning rate of update number {@code step} (0-based): (step+1)/warmup·peak, then linear decay. */
    @Override
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        long rest = Math.max(1, totalSteps - warmupSteps);
        return peak * Math.max(0.0, (double) (totalSteps - step) / rest);
    }
}
