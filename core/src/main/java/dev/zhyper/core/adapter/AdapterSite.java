package dev.zhyper.core.adapter;

import dev.zhyper.core.model.TargetModule;

/** One adapted projection: a layer and a module. */
public record AdapterSite(int layer, TargetModule module) {
    /** PEFT-style key stem, e.g. {@code model.layers.3.self_attn.q_proj}. */
    public String hfPath() { return "model.layers." + layer + "." + module.path(); }
}
