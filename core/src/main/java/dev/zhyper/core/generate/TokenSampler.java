package dev.zhyper.core.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Chooses a token from one row of logits according to {@link SamplingParams}. */
final class TokenSampler {
    private final SamplingParams params;
    private final SplittableRandom rng;

    TokenSampler(SamplingParams params) {
        this.params = params;
        this.rng = new SplittableRandom(params.seed());
    }

    int next(float[] logits, int offset, int vocab) {
        if (params.isGreedy()) {
            return argmax(logits, offset, vocab);
        }
        Integer[] order = null;
        double[] p = new double[vocab];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            p[i] = Math.exp((logits[offset + i] - max) / params.temperature());
            sum += p[i];
        }
        int[] idx = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            idx[i] = i;
        }
        boolean restrict = params.topK() > 0 && params.topK() < vocab || params.topP() < 1f;
        int keep = vocab;
        if (restrict) {
            order = new Integer[vocab];
            for (int i = 0; i < vocab; i++) {
                order[i] = i;
            }
            double[] pp = p;
            Arrays.sort(order, (a, b) -> Double.compare(pp[b], pp[a]));
            keep = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
            if (params.topP() < 1f) {
                double acc = 0;
                for (int i = 0; i < keep; i++) {
                    acc += p[order[i]] / sum;
                    if (acc >= params.topP()) {
                        keep = i + 1;
                        break;
                    }
                }
            }
            for (int i = 0; i < keep; i++) {
                idx[i] = order[i];
            }
        }
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += p[idx[i]];
        }
        double u = rng.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            u -= p[idx[i]];
            if (u <= 0) {
                return idx[i];
            }
        }
        return idx[keep - 1];
    }

    static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        float bv = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            if (logits[offset + i] > bv) {
                bv = logits[offset + i];
                best = i;
            }
        }
        return best;
    }
}
