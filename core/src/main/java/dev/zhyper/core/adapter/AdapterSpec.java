package dev.zhyper.core.adapter;

import dev.zhyper.core.hyper.HeadShape;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.TargetModule;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of an adapter: rank r, LoRA alpha, rsLoRA scaling, target projections, adapted layers and the
 * method (how the context enters). Defaults follow the reference: alpha = 2r with rsLoRA, q_proj and v_proj.
 *
 * @param zParam how Z(c) is obtained from the head output and how B and the head start (diag and square only;
 *               {@link ZParametrisation#HEAD} otherwise)
 */
public record AdapterSpec(int rank, double alpha, boolean rsLora, List<TargetModule> targets,
                          LayerSelection layers, AdapterMethod method, LoraVariant variant, ZParametrisation zParam) {

    public AdapterSpec(int rank, double alpha, boolean rsLora, List<TargetModule> targets, LayerSelection layers,
                       AdapterMethod method, LoraVariant variant) {
        this(rank, alpha, rsLora, targets, layers, method, variant, ZParametrisation.HEAD);
    }

    public AdapterSpec(int rank, double alpha, boolean rsLora, List<TargetModule> targets, LayerSelection layers,
                       AdapterMethod method) {
        this(rank, alpha, rsLora, targets, layers, method, LoraVariant.LORA);
    }

    public AdapterSpec {
        if (variant == null) {
            variant = LoraVariant.LORA;
        }
        if (zParam == null) {
            zParam = ZParametrisation.HEAD;
        }
        if (zParam != ZParametrisation.HEAD && !method.kind().modulatesSharedLora()) {
            throw new IllegalArgumentException("z parametrisation " + zParam.id() + " applies to zhyper-diag and "
                    + "zhyper-square, not " + method.id());
        }
        if (zParam == ZParametrisation.ZERO_Z && variant != LoraVariant.LORA) {
            throw new IllegalArgumentException("zero-z initialises a trained B at random: it needs the lora variant, not "
                    + variant.id());
        }
        if (variant != LoraVariant.LORA && !method.kind().modulatesSharedLora()) {
            throw new IllegalArgumentException(variant.id() + " needs a hypernetwork modulation (diag or square), not "
                    + method.id());
        }
        if (rank <= 0) {
            throw new IllegalArgumentException("rank must be positive, got " + rank);
        }
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("at least one target module is required");
        }
        if (targets.stream().distinct().count() != targets.size()) {
            throw new IllegalArgumentException("duplicate target modules " + targets);
        }
        targets = List.copyOf(targets);
    }

    public static final List<TargetModule> DEFAULT_TARGETS = List.of(TargetModule.Q_PROJ, TargetModule.V_PROJ);

    public static AdapterSpec of(int rank, AdapterMethod method) {
        return new AdapterSpec(rank, 2.0 * rank, true, DEFAULT_TARGETS, LayerSelection.ALL, method);
    }

    public AdapterSpec withLayers(LayerSelection selection) {
        return new AdapterSpec(rank, alpha, rsLora, targets, selection, method, variant, zParam);
    }

    public AdapterSpec withTargets(List<TargetModule> t) {
        return new AdapterSpec(rank, alpha, rsLora, t, layers, method, variant, zParam);
    }

    public AdapterSpec withMethod(AdapterMethod m) {
        return new AdapterSpec(rank, alpha, rsLora, targets, layers, m, variant, zParam);
    }

    public AdapterSpec withVariant(LoraVariant v) {
        return new AdapterSpec(rank, alpha, rsLora, targets, layers, method, v, zParam);
    }

    public AdapterSpec withZParam(ZParametrisation z) {
        return new AdapterSpec(rank, alpha, rsLora, targets, layers, method, variant, z);
    }

    /** Whether a z parametrisation applies to this spec (diag or square; zero-z only with a trained B). */
    public boolean admits(ZParametrisation z) {
        return z == ZParametrisation.HEAD || method.kind().modulatesSharedLora()
                && (z != ZParametrisation.ZERO_Z || variant == LoraVariant.LORA);
    }

    /** This spec with z parametrisation {@code z} where it applies ({@link #admits}), else unchanged. */
    public AdapterSpec withZParamWhereItApplies(ZParametrisation z) {
        return admits(z) ? withZParam(z) : this;
    }

    /** s = alpha / sqrt(r) with rsLoRA, alpha / r otherwise. */
    public double scaling() {
        return rsLora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    /** Index of a target module in {@link #targets()} (the module-type id fed to the hypernetwork). */
    public int typeIndex(TargetModule m) {
        int i = targets.indexOf(m);
        if (i < 0) {
            throw new IllegalArgumentException(m + " is not a target of this adapter");
        }
        return i;
    }

    /** Whether Z(c) starts at exactly 0: LoRA-XS (A and B frozen) and zero-z (B random), so ΔW = 0 at step 0. */
    boolean zStartsAtZero() {
        return variant == LoraVariant.LORA_XS || zParam == ZParametrisation.ZERO_Z;
    }

    /**
     * The hypernetwork's heads, one per target in {@link #targets()} order: width and bias by the method
     * ({@link AdapterKind#headWidth}, {@link AdapterKind#headBias}): the bias starts as a LoRA for T2L, at zero for
     * LoRA-XS and zero-z (A and B frozen, or B random: Z starts at 0), default-initialised otherwise.
     */
    public List<HeadShape> hyperHeads(ModelConfig model) {
        if (!method.usesHypernetwork()) {
            throw new IllegalArgumentException(method + " has no hypernetwork");
        }
        List<HeadShape> heads = new ArrayList<>();
        AdapterKind kind = method.kind();
        for (TargetModule t : targets) {
            int dIn = model.inDim(t);
            heads.add(new HeadShape(t, kind.headWidth(rank, dIn, model.outDim(t)), kind.headBias(this, dIn)));
        }
        return heads;
    }
}
