package dev.zhyper.core.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.norm.Dropout;
import dev.zhyper.core.model.ProjectionDelta;
import dev.zhyper.core.model.TargetModule;

import java.util.Map;

/**
 * The update {@code s · B · Z_i · A · x} for every row i of a batch, where row i carries its own modulation:
 * one shrink GEMM (x Aᵀ) over the whole batch, a per-row scale by z_i (diag) or a per-row r×r product (square),
 * and one expand GEMM (· Bᵀ). No weight gather: contexts only differ in z. For T2L each row carries its own
 * A_i, B_i and the two GEMMs become batched products. For MTL Z = I. The method's {@link AdapterKind#delta} does
 * the arithmetic; this class holds the per-row factors of every site and the LoRA input dropout.
 */
public final class BatchAdapter implements ProjectionDelta {
    private final AdapterKind kind;
    private final SharedLora lora;
    private final Map<AdapterSite, NDArray[]> rows;
    private final float scaling;
    private final float inputDropout;

    /**
     * @param rows         per site its per-row factors ({@link AdapterKind#rows}): {z [B, r]} (diag, already times
     *                     s), {Z [B, r, r]} (square, already times s), {A [B, r, d_in], B [B, d_out, r]} (T2L);
     *                     empty for MTL
     * @param inputDropout LoRA dropout on x before A (training only; 0 = off): the update is
     *                     s·B·Z·A·dropout(x), the base path W x is untouched
     */
    BatchAdapter(AdapterSpec spec, SharedLora lora, Map<AdapterSite, NDArray[]> rows, float inputDropout) {
        if (inputDropout < 0 || inputDropout >= 1) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + inputDropout);
        }
        this.inputDropout = inputDropout;
        this.kind = spec.method().kind();
        this.lora = lora;
        this.rows = rows;
        this.scaling = (float) spec.scaling();
    }

    @Override
    public boolean adapts(int layer, TargetModule module) {
        AdapterSite site = new AdapterSite(layer, module);
        return kind.hasSharedLora() ? lora.a(site) != null : rows.containsKey(site);
    }

    @Override
    public NDArray delta(int layer, TargetModule module, NDArray input) {
        NDArray x = inputDropout > 0 ? Dropout.dropout(input, inputDropout, true).singletonOrThrow() : input;
        AdapterSite site = new AdapterSite(layer, module);
        return kind.delta(x, rows.get(site), lora, site, scaling);
    }
}
