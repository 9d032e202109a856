package dev.zhyper.core.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import dev.zhyper.core.model.ProjectionDelta;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.core.nn.Tensors;

import java.util.Map;

/**
 * The update {@code s · B · Z_i · A · x} for every row i of a batch, where row i carries its own modulation:
 * one shrink GEMM (x Aᵀ) over the whole batch, a per-row scale by z_i (diag) or a per-row r×r product (square),
 * and one expand GEMM (· Bᵀ). No weight gather: contexts only differ in z. For T2L each row carries its own
 * A_i, B_i and the two GEMMs become batched products. For MTL Z = I.
 */
public final class BatchAdapter implements ProjectionDelta {
    private final AdapterSpec spec;
    private final SharedLora lora;
    private final Map<AdapterSite, NDArray> modulation;
    private final Map<AdapterSite, NDArray[]> t2l;
    private final float scaling;
    private final float inputDropout;

    /**
     * @param modulation per site: [B, r] (diag, already multiplied by s), [B, r, r] (square, already times s) or,
     *                   for MTL, unused (may be empty)
     * @param t2l        per site for T2L: {A [B, r, d_in], B [B, d_out, r]}; null otherwise
     * @param inputDropout LoRA dropout on x before A (training only; 0 = off): the update is
     *                     s·B·Z·A·dropout(x), the base path W x is untouched
     */
    BatchAdapter(AdapterSpec spec, SharedLora lora, Map<AdapterSite, NDArray> modulation,
                 Map<AdapterSite, NDArray[]> t2l, float inputDropout) {
        if (inputDropout < 0 || inputDropout >= 1) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + inputDropout);
        }
        this.inputDropout = inputDropout;
        this.spec = spec;
        this.lora = lora;
        this.modulation = modulation;
        this.t2l = t2l;
        this.scaling = (float) spec.scaling();
    }

    @Override
    public boolean adapts(int layer, TargetModule module) {
        AdapterSite site = new AdapterSite(layer, module);
        return spec.method() == AdapterMethod.T2L ? t2l.containsKey(site) : lora.a(site) != null;
    }

    @Override
    public NDArray delta(int layer, TargetModule module, NDArray input) {
        NDArray x = inputDropout > 0 ? Dropout.dropout(input, inputDropout, true).singletonOrThrow() : input;
        AdapterSite site = new AdapterSite(layer, module);
        switch (spec.method()) {
            case T2L -> {
                NDArray[] ab = t2l.get(site);
                // x [B,T,d_in] · A_iᵀ [B,d_in,r] → [B,T,r] · B_iᵀ [B,r,d_out]
                return Tensors.muli(x.matMul(ab[0].transpose(0, 2, 1)), scaling).matMul(ab[1].transpose(0, 2, 1));
            }
            case MTL -> {
                NDArray u = Tensors.muli(Linear.linear(x, lora.a(site)).singletonOrThrow(), scaling);
                return Linear.linear(u, lora.b(site)).singletonOrThrow();
            }
            case DIAG -> {
                NDArray z = modulation.get(site);                       // [B, r], times s
                NDArray u = Linear.linear(x, lora.a(site)).singletonOrThrow();   // [B, T, r]
                return outScale(site, Linear.linear(u.mul(z.expandDims(1)), lora.b(site)).singletonOrThrow());
            }
            case SQUARE -> {
                NDArray z = modulation.get(site);                       // [B, r, r], times s
                NDArray u = Linear.linear(x, lora.a(site)).singletonOrThrow();   // [B, T, r]
                // (Z u) for row vectors is u Zᵀ
                return outScale(site, Linear.linear(u.matMul(z.transpose(0, 2, 1)), lora.b(site)).singletonOrThrow());
            }
            default -> throw new IllegalStateException(spec.method().toString());
        }
    }

    /** VeRA's trainable per-output scaling diag(b); identity for the other variants. */
    private NDArray outScale(AdapterSite site, NDArray y) {
        NDArray b = lora.outScale(site);
        return b == null ? y : y.mul(b);
    }
}
