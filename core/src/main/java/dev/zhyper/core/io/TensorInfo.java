package dev.zhyper.core.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor entry of a safetensors header. {@code begin}/{@code end} are byte offsets relative to
 * the start of the data section. The shape array is copied on the way in and on the way out.
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("tensor '" + name + "': bad offsets [" + begin + ", " + end + "]");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Product of the shape (1 for a scalar). Overflow was ruled out when the file was opened. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            if (d == 0) {
                return 0;
            }
        }
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** {@code end - begin}. */
    public long byteLength() {
        return end - begin;
    }

    /** The shape as ints; throws {@link IllegalStateException} if a dimension does not fit in an int. */
    public int[] intShape() {
        int[] r = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw new IllegalStateException("tensor '" + name + "' has shape " + Arrays.toString(shape)
                        + ", dimension " + i + " does not fit in an int");
            }
            r[i] = (int) shape[i];
        }
        return r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return "TensorInfo[" + name + " " + dtype + " " + Arrays.toString(shape) + " @ [" + begin + ", " + end + ")]";
    }
}
