package dev.zhyper.core.adapter;

import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.TargetModule;

/** Trainable-parameter counts, computed from shapes alone (no weights needed). */
public final class ParameterCounts {
    private ParameterCounts() {}

    /**
     * Trainable shared-LoRA parameters over all adapted sites: Σ r·(d_in + d_out) for LoRA, Σ d_out (the output
     * scaling b) for VeRA, none for LoRA-XS (A, B frozen from the SVD of W).
     */
    public static long sharedLora(ModelConfig cfg, AdapterSpec spec) {
        if (!spec.method().hasSharedLora()) {
            return 0;
        }
        long perLayer = 0;
        for (TargetModule t : spec.targets()) {
            perLayer += switch (spec.variant()) {
                case LORA -> (long) spec.rank() * (cfg.inDim(t) + cfg.outDim(t));
                case VERA -> cfg.outDim(t);
                case LORA_XS -> 0;
            };
        }
        return perLayer * spec.layers().layers(cfg.numLayers()).length;
    }

    /** The hypernetwork trunk (task encoder, embeddings, mixer, residual blocks, mlp3), independent of r. */
    public static long trunk(ModelConfig cfg, AdapterSpec spec, HyperSpec h) {
        long in = h.inputDim();
        long n = linear(h.embedDim(), h.taskDim()) + 2L * h.taskDim();
        n += (long) cfg.numLayers() * h.layerDim() + 2L * h.layerDim();
        n += (long) spec.targets().size() * h.typeDim() + 2L * h.typeDim();
        n += linear(in, h.hiddenDim()) + linear(h.hiddenDim(), in);
        n += h.residualBlocks() * (2 * in + linear(in, h.hiddenDim()) + linear(h.hiddenDim(), in));
        n += 2 * in + linear(in, h.hiddenDim()) + linear(h.hiddenDim(), h.outDim());
        return n;
    }

    /** One head per module type: Linear(d_MLP_out → width). */
    public static long heads(ModelConfig cfg, AdapterSpec spec, HyperSpec h) {
        long n = 0;
        for (TargetModule t : spec.targets()) {
            n += linear(h.outDim(), spec.method().headWidth(spec.rank(), cfg.inDim(t), cfg.outDim(t)));
        }
        return n;
    }

    /** All trainable parameters of a method: θ = {A, B, φ, E_type, E_layer}. */
    public static long total(ModelConfig cfg, AdapterSpec spec, HyperSpec h) {
        long n = sharedLora(cfg, spec);
        if (spec.method().usesHypernetwork()) {
            n += trunk(cfg, spec, h) + heads(cfg, spec, h);
        }
        return n;
    }

    private static long linear(long in, long out) { return in * out + out; }
}
