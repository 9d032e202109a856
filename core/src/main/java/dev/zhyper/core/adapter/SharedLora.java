package dev.zhyper.core.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.core.nn.Init;
import dev.zhyper.core.nn.Parameter;
import dev.zhyper.core.nn.ParameterSet;
import dev.zhyper.core.nn.Tensors;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The LoRA matrices shared by all contexts: A [r, d_in] (Kaiming-uniform as PEFT) and B [d_out, r] (zero) for
 * every adapted site, so the adapted model equals the base model at initialisation. With
 * {@link ZParametrisation#ZERO_Z} B is Kaiming-uniform as well and Z(c) = 0 keeps ΔW = 0 instead.
 */
public final class SharedLora {
    private final Map<AdapterSite, NDArray> a = new LinkedHashMap<>();
    private final Map<AdapterSite, NDArray> b = new LinkedHashMap<>();
    private final Map<AdapterSite, NDArray> outScale = new LinkedHashMap<>();
    private final List<AdapterSite> sites;

    /** Gives the base weight W [d_out, d_in] of a site, row-major (needed by LoRA-XS only). */
    @FunctionalInterface
    public interface BaseWeights {
        float[] of(AdapterSite site);
    }

    public SharedLora(ModelConfig cfg, AdapterSpec spec, NDManager m, DataType dtype, SplittableRandom rng,
                      ParameterSet params, BaseWeights base) {
        List<AdapterSite> s = new ArrayList<>();
        for (int layer : spec.layers().layers(cfg.numLayers())) {
            for (TargetModule t : spec.targets()) {
                AdapterSite site = new AdapterSite(layer, t);
                s.add(site);
                int dIn = cfg.inDim(t);
                int dOut = cfg.outDim(t);
                NDArray aw;
                NDArray bw;
                switch (spec.variant()) {
                    case LORA -> {
                        // kaiming_uniform_(a=sqrt(5)) as PEFT: bound = 1/sqrt(fan_in)
                        aw = Init.uniform(m, rng, 1.0 / Math.sqrt(dIn), dtype, spec.rank(), dIn);
                        // zero-z: B Kaiming-uniform too (fan_in r) and Z(c) = 0 at step 0 instead
                        bw = spec.zParam() == ZParametrisation.ZERO_Z
                                ? Init.uniform(m, rng, 1.0 / Math.sqrt(spec.rank()), dtype, dOut, spec.rank())
                                : Init.constant(m, 0f, dtype, dOut, spec.rank());
                    }
                    case VERA -> {
                        // frozen random projections (Kaiming-uniform as VeRA), trainable output scaling b = 0
                        aw = Init.uniform(m, rng, Math.sqrt(6.0 / dIn), dtype, spec.rank(), dIn);
                        bw = Init.uniform(m, rng, Math.sqrt(6.0 / spec.rank()), dtype, dOut, spec.rank());
                        NDArray scale = Init.constant(m, 0f, dtype, dOut);
                        params.add(new Parameter(nameScale(site), scale, true));
                        outScale.put(site, scale);
                    }
                    case LORA_XS -> {
                        // without base weights (loading a checkpoint) the factors are placeholders, overwritten by the file
                        float[][] ab = base == null
                                ? new float[][] {new float[spec.rank() * dIn], new float[dOut * spec.rank()]}
                                : TruncatedSvd.factors(base.of(site), dOut, dIn, spec.rank(), rng.nextLong());
                        aw = Tensors.create(m, ab[0], new ai.djl.ndarray.types.Shape(spec.rank(), dIn)).toType(dtype, false);
                        bw = Tensors.create(m, ab[1], new ai.djl.ndarray.types.Shape(dOut, spec.rank())).toType(dtype, false);
                    }
                    default -> throw new IllegalStateException();
                }
                boolean trained = spec.variant().trainsAB();
                params.add(new Parameter(nameA(site), aw, trained));
                params.add(new Parameter(nameB(site), bw, trained));
                a.put(site, aw);
                b.put(site, bw);
            }
        }
        this.sites = Collections.unmodifiableList(s);
    }

    public static String nameA(AdapterSite s) { return "lora." + s.layer() + "." + s.module().hfName() + ".A"; }

    public static String nameB(AdapterSite s) { return "lora." + s.layer() + "." + s.module().hfName() + ".B"; }

    public static String nameScale(AdapterSite s) { return "lora." + s.layer() + "." + s.module().hfName() + ".b"; }

    public List<AdapterSite> sites() { return sites; }

    /** VeRA's trainable output scaling b [d_out] of a site, or null for other variants. */
    public NDArray outScale(AdapterSite s) { return outScale.get(s); }

    public NDArray a(AdapterSite s) { return a.get(s); }

    public NDArray b(AdapterSite s) { return b.get(s); }

    /** VeRA's diag(b) applied to an update y [.., d_out]; y itself for the other variants. */
    NDArray scaleOutput(AdapterSite s, NDArray y) {
        NDArray scale = outScale(s);
        return scale == null ? y : y.mul(scale);
    }

    /** A copy of A in {@code m}. */
    NDArray copyA(NDManager m, AdapterSite s) { return copy(m, a(s)); }

    /** A copy of B in {@code m}. */
    NDArray copyB(NDManager m, AdapterSite s) { return copy(m, b(s)); }

    /** A copy of B, or of diag(b)·B for VeRA, in {@code m}. */
    NDArray copyScaledB(NDManager m, AdapterSite s) {
        NDArray bw = copyB(m, s);
        NDArray scale = outScale(s);
        return scale == null ? bw : bw.mul(copy(m, scale).expandDims(1));
    }

    private static NDArray copy(NDManager m, NDArray x) {
        NDArray c = x.duplicate();
        c.attach(m);
        return c;
    }
}
