package dev.zhyper.core.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.zhyper.core.nn.Tensors;

/** Zhyper-square: the hypernetwork emits Z(c) ∈ R^{r×r} (row-major) between the shared B and A. */
public record ZhyperSquare() implements SharedLoraModulation {

    @Override
    public int headWidth(int rank, int dIn, int dOut) { return rank * rank; }

    /** The r×r identity, row-major. */
    @Override
    public float[] identity(int rank) {
        float[] eye = new float[rank * rank];
        for (int i = 0; i < rank; i++) {
            eye[i * rank + i] = 1f;
        }
        return eye;
    }

    /** {s · Z_i} [B, r, r]. */
    @Override
    public NDArray[] rows(NDArray v, long batch, int rank, int dIn, int dOut, float s) {
        return new NDArray[] {Tensors.mul(v, s).reshape(batch, rank, rank)};
    }

    /** y += s · B · Z_i · A x for row i (VeRA: diag(b) · B). */
    @Override
    public NDArray delta(NDArray x, NDArray[] rows, SharedLora lora, AdapterSite site, float s) {
        NDArray z = rows[0];                                                   // [B, r, r], times s
        NDArray u = Linear.linear(x, lora.a(site)).singletonOrThrow();         // [B, T, r]
        // (Z u) for row vectors is u Zᵀ
        return lora.scaleOutput(site, Linear.linear(u.matMul(z.transpose(0, 2, 1)), lora.b(site)).singletonOrThrow());
    }

    /** lora_A = Z · A, lora_B = B (VeRA: diag(b) · B). */
    @Override
    public NDArray[] peftFactors(NDManager m, float[] v, SharedLora lora, AdapterSite site, int rank, int dIn,
                                 int dOut, DataType dtype) {
        return new NDArray[] {Tensors.create(m, v, new Shape(rank, rank)).toType(dtype, false)
                .matMul(lora.copyA(m, site)), lora.copyScaledB(m, site)};
    }

    /** [r, r]. */
    @Override
    public int[] siteShape(int rank, int width) { return new int[] {rank, rank}; }
}
