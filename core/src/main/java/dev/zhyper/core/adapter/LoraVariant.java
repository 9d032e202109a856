package dev.zhyper.core.adapter;

import java.util.Locale;

/**
 * How the shared matrices A and B are obtained (docs/method.md §1). The context always enters through Z(c).
 * <ul>
 *   <li>{@link #LORA}: A Kaiming-uniform and B zero, both trained.</li>
 *   <li>{@link #VERA}: A and B frozen random; a trainable per-output scaling b (zero at init), so
 *       ΔW = s·diag(b)·B·Z(c)·A — z takes the role of VeRA's rank-dimension scaling d.</li>
 *   <li>{@link #LORA_XS}: A = V_rᵀ and B = U_r·Σ_r from a truncated SVD of W, frozen; Z(c) is the only
 *       trained factor (r×r for square), produced by the hypernetwork (whose head starts at exactly zero).</li>
 * </ul>
 */
public enum LoraVariant {
    LORA("lora"), VERA("vera"), LORA_XS("lora-xs");

    private final String id;

    LoraVariant(String id) { this.id = id; }

    public String id() { return id; }

    /** Whether A and B are trained. */
    public boolean trainsAB() { return this == LORA; }

    public static LoraVariant parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (LoraVariant v : values()) {
            if (v.id.equals(t)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown LoRA variant '" + s + "' (lora, vera, lora-xs)");
    }
}
