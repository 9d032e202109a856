package dev.zhyper.core.adapter;

import java.util.Locale;

/**
 * How the modulation Z(c) of Zhyper-diag and Zhyper-square is obtained from the hypernetwork's head output h(c),
 * and how the factors start (docs/method.md §1). The adapted projection is always {@code W x + s·B·Z(c)·A x}; only
 * the map h → Z and the initialisation differ, so training, serving and PEFT export stay one formula: a
 * {@link ContextModulation} carries Z itself.
 * <ul>
 *   <li>{@link #HEAD}: Z = h(c); head weight 0, head bias default-initialised (|z| ≈ 0.04 at step 0), B = 0.</li>
 *   <li>{@link #ONE_PLUS}: Z = I + h(c) (z = 1 + h for diag); same initialisation, so training starts as plain
 *       LoRA B·A modulated around the identity (B = 0 keeps ΔW = 0 at step 0).</li>
 *   <li>{@link #ZERO_Z}: Z = h(c) with head weight and bias 0 (Z = 0 at step 0) and B random (Kaiming-uniform as
 *       A), so ΔW = 0 at step 0 but the gradient reaches z from the first step.</li>
 * </ul>
 * Not used by MTL (Z = I) and T2L (its head emits A and B).
 */
public enum ZParametrisation {
    HEAD("head"), ONE_PLUS("one-plus"), ZERO_Z("zero-z");

    private final String id;

    ZParametrisation(String id) { this.id = id; }

    public String id() { return id; }

    public static ZParametrisation parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (ZParametrisation z : values()) {
            if (z.id.equals(t)) {
                return z;
            }
        }
        throw new IllegalArgumentException("unknown z parametrisation '" + s + "' (head, one-plus, zero-z)");
    }
}
