package dev.zhyper.core.adapter;

import dev.zhyper.core.hyper.HeadShape;

/**
 * The methods whose context modulates the shared B and A with Z(c) between them (Zhyper-diag, Zhyper-square):
 * they have a hypernetwork and shared factors, the LoRA variants and z parametrisations apply to them, and their
 * head bias starts at zero exactly when Z starts at 0 (LoRA-XS, zero-z).
 */
public sealed interface SharedLoraModulation extends AdapterKind permits ZhyperDiag, ZhyperSquare {

    @Override
    default boolean usesHypernetwork() { return true; }

    @Override
    default boolean hasSharedLora() { return true; }

    @Override
    default boolean modulatesSharedLora() { return true; }

    /** Zero for LoRA-XS and zero-z (Z starts at 0), default-initialised otherwise. */
    @Override
    default HeadShape.Bias headBias(AdapterSpec spec, int dIn) {
        return spec.zStartsAtZero() ? new HeadShape.Zero() : new HeadShape.Uniform();
    }
}
