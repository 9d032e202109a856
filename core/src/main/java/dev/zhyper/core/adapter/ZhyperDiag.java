package dev.zhyper.core.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.zhyper.core.nn.Tensors;

import java.util.Arrays;

/** Zhyper-diag: the hypernetwork emits z(c) ∈ R^r, the diagonal of Z(c) between the shared B and A. */
public record ZhyperDiag() implements SharedLoraModulation {

    @Override
    public int headWidth(int rank, int dIn, int dOut) { return rank; }

    /** r ones. */
    @Override
    public float[] identity(int rank) {
        float[] one = new float[rank];
        Arrays.fill(one, 1f);
        return one;
    }

    /** {s · z_i} [B, r]. */
    @Override
    public NDArray[] rows(NDArray v, long batch, int rank, int dIn, int dOut, float s) {
        return new NDArray[] {Tensors.mul(v, s)};
    }

    /** y += s · B · diag(z_i) · A x for row i (VeRA: diag(b) · B). */
    @Override
    public NDArray delta(NDArray x, NDArray[] rows, SharedLora lora, AdapterSite site, float s) {
        NDArray z = rows[0];                                                   // [B, r], times s
        NDArray u = Linear.linear(x, lora.a(site)).singletonOrThrow();         // [B, T, r]
        return lora.scaleOutput(site, Linear.linear(u.mul(z.expandDims(1)), lora.b(site)).singletonOrThrow());
    }

    /** lora_A = diag(z) · A, lora_B = B (VeRA: diag(b) · B). */
    @Override
    public NDArray[] peftFactors(NDManager m, float[] v, SharedLora lora, AdapterSite site, int rank, int dIn,
                                 int dOut, DataType dtype) {
        return new NDArray[] {Tensors.create(m, v, new Shape(rank, 1)).toType(dtype, false).mul(lora.copyA(m, site)),
                lora.copyScaledB(m, site)};
    }

    /** [r]. */
    @Override
    public int[] siteShape(int rank, int width) { return new int[] {width}; }
}
