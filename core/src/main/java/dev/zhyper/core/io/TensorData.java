package dev.zhyper.core.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor to be written: name, dtype, shape and its raw little-endian bytes
 * ({@code data.remaining() == elementCount * dtype.byteSize()}). The buffer's remaining bytes are
 * captured as a slice at construction; {@link #data()} returns an independent little-endian view
 * (position 0), so reading it never disturbs the record. An empty shape means a scalar (1 element).
 */
public record TensorData(String name, DType dtype, long[] shape, ByteBuffer data) {

    public TensorData {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in shape "
                        + Arrays.toString(shape));
            }
        }
        long count = SafeTensorsFile.elementCount(shape);
        long bytes = count < 0 ? -1 : count * dtype.byteSize();
        if (count < 0 || bytes / dtype.byteSize() != count) {
            throw new IllegalArgumentException("tensor '" + name + "': size of shape " + Arrays.toString(shape)
                    + " overflows");
        }
        if (data.remaining() != bytes) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " with dtype " + dtype + " needs " + bytes + " bytes, got " + data.remaining());
        }
        data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** F32 tensor. {@code values.length} must equal the product of {@code shape} (empty shape = scalar). */
    public static TensorData ofFloats(String name, float[] values, long... shape) {
        return ofFloats(name, DType.F32, values, shape);
    }

    /**
     * F32, F16, BF16 (rounded to nearest, ties to even) or F64 tensor from floats.
     * {@code values.length} must equal the product of {@code shape} (empty shape = scalar).
     */
    public static TensorData ofFloats(String name, DType dtype, float[] values, long... shape) {
        Objects.requireNonNull(dtype, "dtype");
        checkCount(name, values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.byteSize()))
                .order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> b.asFloatBuffer().put(values);
            case F64 -> {
                for (float v : values) {
                    b.putDouble(v);
                }
            }
            case F16 -> {
                for (float v : values) {
                    b.putShort(HalfFloats.floatToF16(v));
                }
            }
            case BF16 -> {
                for (float v : values) {
                    b.putShort(HalfFloats.floatToBf16(v));
                }
            }
            default -> throw new IllegalArgumentException("tensor '" + name + "': cannot store floats as " + dtype);
        }
        b.clear();
        return new TensorData(name, dtype, shape, b);
    }

    /** I64 tensor. {@code values.length} must equal the product of {@code shape} (empty shape = scalar). */
    public static TensorData ofLongs(String name, long[] values, long... shape) {
        checkCount(name, values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new TensorData(name, DType.I64, shape, b);
    }

    private static void checkCount(String name, int length, long[] shape) {
        long count = SafeTensorsFile.elementCount(shape);
        if (count != length) {
            throw new IllegalArgumentException("tensor '" + name + "': " + length + " values do not match shape "
                    + Arrays.toString(shape) + (shape.length == 0 ? " (a scalar)" : ""));
        }
    }

    /** Product of the shape. */
    public long elementCount() {
        return SafeTensorsFile.elementCount(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), data);
    }

    @Override
    public String toString() {
        return "TensorData[" + name + " " + dtype + " " + Arrays.toString(shape) + ", " + data.remaining() + " bytes]";
    }
}
