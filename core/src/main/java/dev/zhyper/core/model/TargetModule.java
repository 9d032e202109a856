package dev.zhyper.core.model;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The linear projections of a decoder layer that an adapter may target, with their HF names. */
public enum TargetModule {
    Q_PROJ("self_attn", "q_proj"),
    K_PROJ("self_attn", "k_proj"),
    V_PROJ("self_attn", "v_proj"),
    O_PROJ("self_attn", "o_proj"),
    GATE_PROJ("mlp", "gate_proj"),
    UP_PROJ("mlp", "up_proj"),
    DOWN_PROJ("mlp", "down_proj");

    private final String block;
    private final String hfName;

    TargetModule(String block, String hfName) {
        this.block = block;
        this.hfName = hfName;
    }

    /** Short name as PEFT's target_modules use it, e.g. {@code q_proj}. */
    public String hfName() { return hfName; }

    /** Path inside a layer, e.g. {@code self_attn.q_proj}. */
    public String path() { return block + "." + hfName; }

    public static TargetModule parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        for (TargetModule m : values()) {
            if (m.hfName.equals(t) || m.hfName.startsWith(t + "_") || m.path().equals(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown target module '" + s + "' (expected one of q_proj, k_proj, "
                + "v_proj, o_proj, gate_proj, up_proj, down_proj)");
    }

    /** A list of names as {@link #parse} reads them, or {@code all} for every projection; duplicates dropped. */
    public static List<TargetModule> parseList(List<String> names) {
        Set<TargetModule> out = new LinkedHashSet<>();
        for (String n : names) {
            if (n.trim().equalsIgnoreCase("all")) {
                out.addAll(List.of(values()));
            } else {
                out.add(parse(n));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no target modules given");
        }
        return List.copyOf(out);
    }
}
