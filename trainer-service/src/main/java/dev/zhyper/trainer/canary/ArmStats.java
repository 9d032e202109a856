package dev.zhyper.trainer.canary;

/**
 * Running outcomes of one arm: n rewards in [0, 1], their sum and sum of squares, and whether all were 0 or 1
 * (thumbs). Mutable, not thread-safe (the judge's thread owns it; {@link #snapshot} for readers).
 */
public final class ArmStats {

    private long n;
    private double sum;
    private double sumSq;
    private boolean binary = true;

    public void add(double reward) {
        if (!(reward >= 0 && reward <= 1)) throw new IllegalArgumentException("reward must be in [0, 1], got " + reward);
        n++;
        sum += reward;
        sumSq += reward * reward;
        if (reward != 0 && reward != 1) binary = false;
    }

    public Snapshot snapshot() {
        return new Snapshot(n, sum, sumSq, binary);
    }

    /** An immutable view with the interval maths. */
    public record Snapshot(long n, double sum, double sumSq, boolean binary) {

        public static final Snapshot EMPTY = new Snapshot(0, 0, 0, true);

        public double mean() {
            return n == 0 ? 0 : sum / n;
        }

        /** Sample variance (n - 1 denominator); 0 for n < 2. */
        public double variance() {
            if (n < 2) return 0;
            return Math.max(0, (sumSq - sum * sum / n) / (n - 1));
        }

        public String method() {
            return binary ? "wilson" : "normal";
        }

        /** Interval of the mean: Wilson score for 0/1 rewards, else mean ± z·s/√n. */
        public Intervals.Interval interval(double z) {
            if (n == 0) return new Intervals.Interval(0, 1);
            if (binary) return Intervals.wilson(sum, n, z);
            double half = z * Math.sqrt(variance() / n);
            return new Intervals.Interval(Math.max(0, mean() - half), Math.min(1, mean() + half));
        }
    }
}
