package dev.zhyper.core.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.zhyper.core.hyper.HeadShape;
import dev.zhyper.core.nn.Tensors;

import java.util.Arrays;

/** Text-to-LoRA: the hypernetwork head emits A(c) and B(c) themselves, [A | B] row-major; no shared A, B. */
public record TextToLora() implements AdapterKind {

    @Override
    public int headWidth(int rank, int dIn, int dOut) { return rank * (dIn + dOut); }

    @Override
    public boolean usesHypernetwork() { return true; }

    @Override
    public boolean hasSharedLora() { return false; }

    @Override
    public boolean modulatesSharedLora() { return false; }

    /** A LoRA: A Kaiming-uniform, B zero, so ΔW = 0 at step 0. */
    @Override
    public HeadShape.Bias headBias(AdapterSpec spec, int dIn) { return new HeadShape.LoraA(spec.rank(), dIn); }

    @Override
    public float[] identity(int rank) {
        throw new IllegalStateException("t2l emits A and B, not a modulation Z");
    }

    /** {A_i [B, r, d_in], B_i [B, d_out, r]}. */
    @Override
    public NDArray[] rows(NDArray v, long batch, int rank, int dIn, int dOut, float s) {
        NDArray a = v.get(":, 0:" + (rank * dIn)).reshape(batch, rank, dIn);
        NDArray b = v.get(":, " + (rank * dIn) + ":").reshape(batch, dOut, rank);
        return new NDArray[] {a, b};
    }

    /** y += s · B_i · A_i x for row i. */
    @Override
    public NDArray delta(NDArray x, NDArray[] rows, SharedLora lora, AdapterSite site, float s) {
        // x [B,T,d_in] · A_iᵀ [B,d_in,r] → [B,T,r] · B_iᵀ [B,r,d_out]
        return Tensors.muli(x.matMul(rows[0].transpose(0, 2, 1)), s).matMul(rows[1].transpose(0, 2, 1));
    }

    /** lora_A = A_c, lora_B = B_c. */
    @Override
    public NDArray[] peftFactors(NDManager m, float[] v, SharedLora lora, AdapterSite site, int rank, int dIn,
                                 int dOut, DataType dtype) {
        float[] a = Arrays.copyOfRange(v, 0, rank * dIn);
        float[] b = Arrays.copyOfRange(v, rank * dIn, v.length);
        return new NDArray[] {Tensors.create(m, a, new Shape(rank, dIn)).toType(dtype, false),
                Tensors.create(m, b, new Shape(dOut, rank)).toType(dtype, false)};
    }

    /** [r · (d_in + d_out)], flat. */
    @Override
    public int[] siteShape(int rank, int width) { return new int[] {width}; }
}
