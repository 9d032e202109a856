package dev.zhyper.core.adapter;

import java.util.SplittableRandom;

/**
 * Rank-r truncated SVD factors of W [d_out, d_in] by subspace iteration in double precision:
 * A = V_rᵀ [r, d_in] and B = W·V_r = U_r·Σ_r [d_out, r], so that B·A is the best rank-r approximation of W.
 * Used for LoRA-XS initialisation (once per site, when the adapter is created).
 */
final class TruncatedSvd {
    private TruncatedSvd() {}

    static float[][] factors(float[] w, int dOut, int dIn, int r, long seed) {
        if (r > Math.min(dOut, dIn)) {
            throw new IllegalArgumentException("rank " + r + " exceeds the matrix size " + dOut + "x" + dIn);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] v = new double[r][dIn];            // r orthonormal rows (columns of V)
        for (double[] row : v) {
            for (int i = 0; i < dIn; i++) {
                row[i] = rng.nextGaussian();
            }
        }
        orthonormalise(v);
        double[] tmp = new double[dOut];
        for (int it = 0; it < 30; it++) {
            for (double[] row : v) {
                // row ← Wᵀ W row
                for (int o = 0; o < dOut; o++) {
                    double s = 0;
                    int base = o * dIn;
                    for (int i = 0; i < dIn; i++) {
                        s += w[base + i] * row[i];
                    }
                    tmp[o] = s;
                }
                java.util.Arrays.fill(row, 0);
                for (int o = 0; o < dOut; o++) {
                    int base = o * dIn;
                    double t = tmp[o];
                    for (int i = 0; i < dIn; i++) {
                        row[i] += w[base + i] * t;
                    }
                }
            }
            orthonormalise(v);
        }
        float[] a = new float[r * dIn];
        float[] b = new float[dOut * r];
        for (int k = 0; k < r; k++) {
            for (int i = 0; i < dIn; i++) {
                a[k * dIn + i] = (float) v[k][i];
            }
            for (int o = 0; o < dOut; o++) {
                double s = 0;
                int base = o * dIn;
                for (int i = 0; i < dIn; i++) {
                    s += w[base + i] * v[k][i];
                }
                b[o * r + k] = (float) s;
            }
        }
        return new float[][] {a, b};
    }

    /** Modified Gram-Schmidt on the rows. */
    private static void orthonormalise(double[][] v) {
        for (int k = 0; k < v.length; k++) {
            for (int j = 0; j < k; j++) {
                double dot = 0;
                for (int i = 0; i < v[k].length; i++) {
                    dot += v[k][i] * v[j][i];
                }
                for (int i = 0; i < v[k].length; i++) {
                    v[k][i] -= dot * v[j][i];
                }
            }
            double n = 0;
            for (double x : v[k]) {
                n += x * x;
            }
            n = Math.sqrt(n);
            for (int i = 0; i < v[k].length; i++) {
                v[k][i] /= n;
            }
        }
    }
}
