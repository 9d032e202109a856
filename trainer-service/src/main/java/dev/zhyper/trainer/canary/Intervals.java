package dev.zhyper.trainer.canary;

/**
 * Confidence intervals of the canary (docs/adr/0010-canary-promotion.md): the Wilson score interval of a proportion,
 * Newcombe's hybrid score interval of a difference of two proportions (method 10 of Newcombe 1998, built from the
 * two Wilson intervals), the normal (Welch) interval of a difference of two means, and the two-sided normal quantile.
 */
public final class Intervals {

    private Intervals() {}

    public record Interval(double lower, double upper) {}

    /** The quantile z with P(|Z| <= z) = confidence (two-sided), e.g. 1.96 for 0.95. */
    public static double z(double confidence) {
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
        return inverseNormal(0.5 + confidence / 2);
    }

    /** Wilson score interval of k successes in n trials. */
    public static Interval wilson(double k, long n, double z) {
        if (n == 0) return new Interval(0, 1);
        double p = k / n;
        double z2 = z * z;
        double denom = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denom;
        double half = z / denom * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new Interval(Math.max(0, centre - half), Math.min(1, centre + half));
    }

    /**
     * Interval of mean(a) - mean(b): Newcombe's hybrid score interval when both arms have only 0/1 rewards
     * (good coverage for small n and proportions near 0 or 1), else the normal interval with unpooled variances.
     */
    public static Interval difference(ArmStats.Snapshot a, ArmStats.Snapshot b, double z) {
        double d = a.mean() - b.mean();
        if (a.binary() && b.binary()) {
            Interval ia = wilson(a.sum(), a.n(), z);
            Interval ib = wilson(b.sum(), b.n(), z);
            double lower = d - Math.sqrt(sq(a.mean() - ia.lower()) + sq(ib.upper() - b.mean()));
            double upper = d + Math.sqrt(sq(ia.upper() - a.mean()) + sq(b.mean() - ib.lower()));
            return new Interval(lower, upper);
        }
        double se = Math.sqrt(a.variance() / Math.max(1, a.n()) + b.variance() / Math.max(1, b.n()));
        return new Interval(d - z * se, d + z * se);
    }

    public static String differenceMethod(ArmStats.Snapshot a, ArmStats.Snapshot b) {
        return a.binary() && b.binary() ? "newcombe" : "welch";
    }

    private static double sq(double x) {
        return x * x;
    }

    /** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
    static double inverseNormal(double p) {
        if (!(p > 0 && p < 1)) throw new IllegalArgumentException("p must be in (0, 1), got " + p);
        final double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
        final double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                6.680131188771972e+01, -1.328068155288572e+01};
        final double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
        final double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                3.754408661907416e+00};
        double low = 0.02425;
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) return -inverseNormal(1 - p);
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
}
