package dev.zhyper.lab.experiments;

import java.util.SplittableRandom;

/** Principal components by power iteration with deflation on the covariance matrix (small dimensions). */
public final class Pca {
    private Pca() {}

    /** Projects the rows of {@code x} (n × d) onto their first {@code k} principal components (n × k). */
    public static double[][] project(double[][] x, int k) {
        int n = x.length;
        int d = x[0].length;
        double[] mean = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / n;
            }
        }
        double[][] cov = new double[d][d];
        for (double[] row : x) {
            for (int a = 0; a < d; a++) {
                double da = row[a] - mean[a];
                for (int b = 0; b < d; b++) {
                    cov[a][b] += da * (row[b] - mean[b]) / Math.max(1, n - 1);
                }
            }
        }
        double[][] comps = components(cov, k);
        double[][] out = new double[n][k];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += (x[i][j] - mean[j]) * comps[c][j];
                }
                out[i][c] = s;
            }
        }
        return out;
    }

    /** The top {@code k} unit eigenvectors of a symmetric PSD matrix (power iteration, then deflation). */
    public static double[][] components(double[][] cov, int k) {
        int d = cov.length;
        double[][] a = new double[d][];
        for (int i = 0; i < d; i++) {
            a[i] = cov[i].clone();
        }
        double[][] out = new double[k][];
        SplittableRandom rng = new SplittableRandom(7);
        for (int c = 0; c < k; c++) {
            double[] v = new double[d];
            for (int j = 0; j < d; j++) {
                v[j] = rng.nextDouble() - 0.5;
            }
            normalize(v);
            double lambda = 0;
            for (int it = 0; it < 1000; it++) {
                double[] w = new double[d];
                for (int i = 0; i < d; i++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        s += a[i][j] * v[j];
                    }
                    w[i] = s;
                }
                double norm = normalize(w);
                double diff = 0;
                for (int j = 0; j < d; j++) {
                    diff += Math.abs(w[j] - v[j]);
                }
                v = w;
                lambda = norm;
                if (norm == 0 || diff < 1e-10) {
                    break;
                }
            }
            out[c] = v;
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    a[i][j] -= lambda * v[i] * v[j];
                }
            }
        }
        return out;
    }

    private static double normalize(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        s = Math.sqrt(s);
        if (s > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] /= s;
            }
        }
        return s;
    }
}
