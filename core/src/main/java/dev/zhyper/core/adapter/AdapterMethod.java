package dev.zhyper.core.adapter;

import java.util.Locale;

/**
 * How the context enters the low-rank update of every adapted projection: the stable id of an adapter method (its
 * name in checkpoint manifests, CLI flags and the modulation API). What the method does lives in its
 * {@link #kind()} (ADR 0016).
 */
public enum AdapterMethod {
    /** Multi-task LoRA: shared A, B, no context (z = 1). */
    MTL("mtl", new MultiTaskLora()),
    /** Zhyper-diag: y = Wx + s·B·diag(z(c))·A·x with z ∈ R^r from the hypernetwork. */
    DIAG("zhyper-diag", new ZhyperDiag()),
    /** Zhyper-square: y = Wx + s·B·Z(c)·A·x with Z ∈ R^{r×r}. */
    SQUARE("zhyper-square", new ZhyperSquare()),
    /** Text-to-LoRA: the hypernetwork head emits A(c) and B(c) directly. */
    T2L("t2l", new TextToLora());

    private final String id;
    private final AdapterKind kind;

    AdapterMethod(String id, AdapterKind kind) {
        this.id = id;
        this.kind = kind;
    }

    public String id() { return id; }

    /** The method itself: head width and initialisation, delta, PEFT factors. */
    public AdapterKind kind() { return kind; }

    /** Whether a hypernetwork produces something per context. */
    public boolean usesHypernetwork() { return kind.usesHypernetwork(); }

    /** Whether shared A and B exist. */
    public boolean hasSharedLora() { return kind.hasSharedLora(); }

    /** Numbers the hypernetwork head emits per (context, layer, module). */
    public int headWidth(int rank, int dIn, int dOut) { return kind.headWidth(rank, dIn, dOut); }

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
