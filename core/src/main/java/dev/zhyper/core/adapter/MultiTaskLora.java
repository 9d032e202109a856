package dev.zhyper.core.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.core.Linear;
import dev.zhyper.core.hyper.HeadShape;
import dev.zhyper.core.nn.Tensors;

/** Multi-task LoRA: shared A and B, no context (Z = I), no hypernetwork. */
public record MultiTaskLora() implements AdapterKind {

    @Override
    public int headWidth(int rank, int dIn, int dOut) { return 0; }

    @Override
    public boolean usesHypernetwork() { return false; }

    @Override
    public boolean hasSharedLora() { return true; }

    @Override
    public boolean modulatesSharedLora() { return false; }

    @Override
    public HeadShape.Bias headBias(AdapterSpec spec, int dIn) { throw noHead(); }

    @Override
    public float[] identity(int rank) { throw noHead(); }

    @Override
    public NDArray[] rows(NDArray v, long batch, int rank, int dIn, int dOut, float s) { throw noHead(); }

    /** y += s · B · A x, the same for every row. */
    @Override
    public NDArray delta(NDArray x, NDArray[] rows, SharedLora lora, AdapterSite site, float s) {
        NDArray u = Tensors.muli(Linear.linear(x, lora.a(site)).singletonOrThrow(), s);   // [B, T, r], times s
        return Linear.linear(u, lora.b(site)).singletonOrThrow();                          // [B, T, d_out]
    }

    /** lora_A = A, lora_B = B. */
    @Override
    public NDArray[] peftFactors(NDManager m, float[] v, SharedLora lora, AdapterSite site, int rank, int dIn,
                                 int dOut, DataType dtype) {
        return new NDArray[] {lora.copyA(m, site), lora.copyB(m, site)};
    }

    @Override
    public int[] siteShape(int rank, int width) { return new int[] {width}; }

    private static IllegalStateException noHead() {
        return new IllegalStateException("mtl has no hypernetwork head");
    }
}
