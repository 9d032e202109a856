package dev.zhyper.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Tensors made from Java values, in memory that libtorch owns.
 *
 * <p>On the CPU, DJL's {@code NDManager.create(...)} wraps a Java direct buffer ({@code torch::from_blob}, no
 * copy) that only the returned Java object keeps alive. Any view, autograd-saved tensor or stolen gradient that
 * shares that storage and outlives the Java object then reads memory the garbage collector has freed: wrong
 * numbers or NaN that depend on GC timing. Every tensor the engine builds from Java arrays therefore goes
 * through here: created, cloned into libtorch's allocator, and the wrapper released at once.
 *
 * <p>The same holds for DJL's arithmetic with a Java number ({@code x.mul(0.5)}): DJL wraps the number the same
 * way and closes it after the op, but autograd keeps it for the backward pass (the factor of a product, the
 * divisor of a quotient). Forward-pass code therefore uses {@link #mul}, {@link #muli}, {@link #div} and
 * {@link #add} here instead. See docs/adr/0005-tensors-own-their-memory.md.
 */
public final class Tensors {
    private Tensors() {}

    public static NDArray create(NDManager m, float[] values, Shape shape) {
        return owned(m.create(values, shape));
    }

    public static NDArray create(NDManager m, long[] values, Shape shape) {
        return owned(m.create(values, shape));
    }

    public static NDArray create(NDManager m, int[] values, Shape shape) {
        return owned(m.create(values, shape));
    }

    public static NDArray create(NDManager m, double[] values, Shape shape) {
        return owned(m.create(values, shape));
    }

    public static NDArray create(NDManager m, float[] values) {
        return owned(m.create(values));
    }

    public static NDArray create(NDManager m, long[] values) {
        return owned(m.create(values));
    }

    public static NDArray create(NDManager m, int[] values) {
        return owned(m.create(values));
    }

    public static NDArray create(NDManager m, float value) {
        return owned(m.create(value));
    }

    /** x · v, a new tensor. */
    public static NDArray mul(NDArray x, double v) {
        try (NDArray s = scalar(x, v)) {
            return x.mul(s);
        }
    }

    /** x ← x · v. */
    public static NDArray muli(NDArray x, double v) {
        try (NDArray s = scalar(x, v)) {
            return x.muli(s);
        }
    }

    /** x / v, a new tensor. */
    public static NDArray div(NDArray x, double v) {
        try (NDArray s = scalar(x, v)) {
            return x.div(s);
        }
    }

    /** x + v, a new tensor. */
    public static NDArray add(NDArray x, double v) {
        try (NDArray s = scalar(x, v)) {
            return x.add(s);
        }
    }

    /** x ← x + v. */
    public static NDArray addi(NDArray x, double v) {
        try (NDArray s = scalar(x, v)) {
            return x.addi(s);
        }
    }

    /**
     * v as a 0-d float64 tensor on x's device in libtorch memory. A 0-d operand does not promote x's dtype
     * (bf16 · scalar stays bf16), and float64 keeps fp64 gradient checks exact.
     */
    private static NDArray scalar(NDArray x, double v) {
        return owned(x.getManager().create(new double[] {v}, new Shape()));
    }

    private static NDArray owned(NDArray javaBacked) {
        try (javaBacked) {
            return javaBacked.duplicate();
        }
    }
}
