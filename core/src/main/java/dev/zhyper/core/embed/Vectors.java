package dev.zhyper.core.embed;

/** Small vector helpers for embedders. */
public final class Vectors {

    private Vectors() {}

    /** Euclidean norm, accumulated in double. */
    public static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }

    /** Cosine similarity of two equally long vectors (0 if either is zero). */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("length " + a.length + " != " + b.length);
        double dot = 0;
        for (int i = 0; i < a.length; i++) dot += (double) a[i] * b[i];
        double n = norm(a) * norm(b);
        return n == 0 ? 0 : dot / n;
    }

    /**
     * Returns a new vector: {@code v / |v| * sqrt(v.length)}.
     *
     * @throws IllegalArgumentException if {@code v} is zero or not finite
     */
    public static float[] normalizeScaled(float[] v) {
        double n = norm(v);
        if (!(n > 0) || Double.isInfinite(n)) {
            throw new IllegalArgumentException("cannot normalise a vector of norm " + n);
        }
        double f = Math.sqrt(v.length) / n;
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) (v[i] * f);
        return out;
    }
}
