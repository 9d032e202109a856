package dev.zhyper.core.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.core.nn.Init;
import dev.zhyper.core.nn.Parameter;
import dev.zhyper.core.nn.ParameterSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The LoRA matrices shared by all contexts: A [r, d_in] (Kaiming-uniform as PEFT) and B [d_out, r] (zero) for
 * every adapted site, so the adapted model equals the base model at initialisation.
 */
public final class SharedLora {
    private final Map<AdapterSite, NDArray> a = new LinkedHashMap<>();
    private final Map<AdapterSite, NDArray> b = new LinkedHashMap<>();
    private final List<AdapterSite> sites;

    public SharedLora(ModelConfig cfg, AdapterSpec spec, NDManager m, DataType dtype, SplittableRandom rng,
                      ParameterSet params) {
        List<AdapterSite> s = new ArrayList<>();
        for (int layer : spec.layers().layers(cfg.numLayers())) {
            for (TargetModule t : spec.targets()) {
                AdapterSite site = new AdapterSite(layer, t);
                s.add(site);
                int dIn = cfg.inDim(t);
                int dOut = cfg.outDim(t);
                // kaiming_uniform_(a=sqrt(5)) as PEFT: bound = 1/sqrt(fan_in)
                NDArray aw = Init.uniform(m, rng, 1.0 / Math.sqrt(dIn), dtype, spec.rank(), dIn);
                NDArray bw = Init.constant(m, 0f, dtype, dOut, spec.rank());
                params.add(new Parameter(nameA(site), aw, true));
                params.add(new Parameter(nameB(site), bw, true));
                a.put(site, aw);
                b.put(site, bw);
            }
        }
        this.sites = Collections.unmodifiableList(s);
    }

    public static String nameA(AdapterSite s) { return "lora." + s.layer() + "." + s.module().hfName() + ".A"; }

    public static String nameB(AdapterSite s) { return "lora." + s.layer() + "." + s.module().hfName() + ".B"; }

    public List<AdapterSite> sites() { return sites; }

    public NDArray a(AdapterSite s) { return a.get(s); }

    public NDArray b(AdapterSite s) { return b.get(s); }
}
