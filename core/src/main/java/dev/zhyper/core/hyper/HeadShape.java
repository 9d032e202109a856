package dev.zhyper.core.hyper;

import dev.zhyper.core.model.TargetModule;

/**
 * One output head of the hypernetwork: the module type it serves, its width (r for diag, r² for square,
 * r·(d_in + d_out) for T2L) and how its bias starts. The adapter method decides all three
 * ({@code AdapterSpec#hyperHeads} from the method's {@code AdapterKind}); the hypernetwork only builds and runs the
 * heads.
 */
public record HeadShape(TargetModule target, int width, Bias bias) {

    public HeadShape {
        if (width <= 0) throw new IllegalArgumentException("head width must be positive: " + width);
    }

    /** How a head's bias starts (its weight always starts at zero, so the initial output is the bias). */
    public sealed interface Bias permits Uniform, Zero, LoraA {}

    /** Default-initialised: uniform in ±1/√(trunk output width). */
    public record Uniform() implements Bias {}

    /** Zero: the head's output starts at 0. */
    public record Zero() implements Bias {}

    /** A LoRA (T2L): the first {@code rank · inDim} entries (A) Kaiming-uniform in ±1/√inDim, the rest (B) zero. */
    public record LoraA(int rank, int inDim) implements Bias {}
}
