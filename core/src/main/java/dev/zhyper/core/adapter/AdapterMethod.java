package dev.zhyper.core.adapter;

import java.util.Locale;

/** How the context enters the low-rank update of every adapted projection. */
public enum AdapterMethod {
    /** Multi-task LoRA: shared A, B, no context (z = 1). */
    MTL("mtl"),
    /** Zhyper-diag: y = Wx + s·B·diag(z(c))·A·x with z ∈ R^r from the hypernetwork. */
    DIAG("zhyper-diag"),
    /** Zhyper-square: y = Wx + s·B·Z(c)·A·x with Z ∈ R^{r×r}. */
    SQUARE("zhyper-square"),
    /** Text-to-LoRA: the hypernetwork head emits A(c) and B(c) directly. */
    T2L("t2l");

    private final String id;

    AdapterMethod(String id) { this.id = id; }

    public String id() { return id; }

    /** Whether a hypernetwork produces something per context. */
    public boolean usesHypernetwork() { return this != MTL; }

    /** Whether shared A and B exist. */
    public boolean hasSharedLora() { return this != T2L; }

    /** Numbers the hypernetwork head emits per (context, layer, module). */
    public int headWidth(int rank, int dIn, int dOut) {
        return switch (this) {
            case MTL -> 0;
            case DIAG -> rank;
            case SQUARE -> rank * rank;
            case T2L -> rank * (dIn + dOut);
        };
    }

    public static AdapterMethod parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        for (AdapterMethod m : values()) {
            if (m.id.equals(t) || m.name().equalsIgnoreCase(t) || m.id.equals("zhyper-" + t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown method '" + s + "' (mtl, diag, square, t2l)");
    }
}
