package dev.zhyper.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.zhyper.core.nn.Tensors;

/**
 * Rotary position embedding in the rotate-half convention of Hugging Face:
 * {@code rope(x) = x·cos + rotate_half(x)·sin}, with {@code rotate_half(x) = x·R} for a fixed signed permutation R,
 * so a rotation costs two element-wise products and one small GEMM. Frequencies are computed in double precision,
 * with llama3 frequency scaling when configured.
 */
public final class RotaryEmbedding {
    private final int headDim;
    private final double[] invFreq;
    private final NDManager manager;
    private final DataType dtype;
    private NDArray cosTable;
    private NDArray sinTable;
    private int tableLength;
    private final NDArray rotateHalf;

    RotaryEmbedding(ModelConfig cfg, NDManager manager, DataType dtype) {
        this.headDim = cfg.headDim();
        this.manager = manager;
        this.dtype = dtype;
        this.invFreq = inverseFrequencies(cfg);
        int half = headDim / 2;
        float[] r = new float[headDim * headDim];
        // (x·R)[j] = -x[j+half] for j < half, x[j-half] for j >= half
        for (int j = 0; j < half; j++) {
            r[(j + half) * headDim + j] = -1f;
            r[j * headDim + (j + half)] = 1f;
        }
        this.rotateHalf = Tensors.create(manager, r, new Shape(headDim, headDim)).toType(dtype, false);
        ensureLength(Math.min(Math.max(cfg.maxPositions(), 1), 4096));
    }

    /** HF inverse frequencies θ^(-2i/d), with llama3 scaling (HF _compute_llama3_parameters) if configured. */
    static double[] inverseFrequencies(ModelConfig cfg) {
        int half = cfg.headDim() / 2;
        double[] f = new double[half];
        for (int i = 0; i < half; i++) {
            f[i] = 1.0 / Math.pow(cfg.ropeTheta(), (2.0 * i) / cfg.headDim());
        }
        ModelConfig.RopeScaling s = cfg.ropeScaling();
        if (s != null && s.type().equals("llama3")) {
            double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
            double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
            for (int i = 0; i < half; i++) {
                double wavelen = 2 * Math.PI / f[i];
                if (wavelen > lowWavelen) {
                    f[i] = f[i] / s.factor();
                } else if (wavelen >= highWavelen) {
                    double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor())
                            / (s.highFreqFactor() - s.lowFreqFactor());
                    f[i] = (1 - smooth) * f[i] / s.factor() + smooth * f[i];
                }
            }
        }
        return f;
    }

    private synchronized void ensureLength(int length) {
        if (length <= tableLength) {
            return;
        }
        int n = Math.max(length, tableLength * 2);
        float[] cos = new float[n * headDim];
        float[] sin = new float[n * headDim];
        int half = headDim / 2;
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < half; i++) {
                double a = p * invFreq[i];
                float c = (float) Math.cos(a);
                float s = (float) Math.sin(a);
                cos[p * headDim + i] = c;
                cos[p * headDim + i + half] = c;
                sin[p * headDim + i] = s;
                sin[p * headDim + i + half] = s;
            }
        }
        NDArray oldCos = cosTable;
        NDArray oldSin = sinTable;
        cosTable = Tensors.create(manager, cos, new Shape(n, headDim)).toType(dtype, false);
        sinTable = Tensors.create(manager, sin, new Shape(n, headDim)).toType(dtype, false);
        tableLength = n;
        if (oldCos != null) {
            oldCos.close();
            oldSin.close();
        }
    }

    /** cos and sin for positions [B, T] (int64, request-scoped), shaped [B, 1, T, headDim]. */
    NDArray[] cosSin(NDArray positions, int maxPosition) {
        ensureLength(maxPosition + 1);
        NDArray cos = Embedding.embedding(positions, cosTable, SparseFormat.DENSE).singletonOrThrow().expandDims(1);
        NDArray sin = Embedding.embedding(positions, sinTable, SparseFormat.DENSE).singletonOrThrow().expandDims(1);
        return new NDArray[] {cos, sin};
    }

    /** Applies the rotation to x [B, H, T, headDim]. */
    NDArray apply(NDArray x, NDArray[] cosSin) {
        return x.mul(cosSin[0]).addi(x.matMul(rotateHalf).muli(cosSin[1]));
    }
}
