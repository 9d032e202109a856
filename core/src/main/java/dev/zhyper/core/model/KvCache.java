package dev.zhyper.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.zhyper.core.nn.Tensors;

/**
 * Keys (after RoPE, stored transposed as [B, KV, headDim, S]) and values ([B, KV, S, headDim]) of every layer
 * for a batch being decoded.
 *
 * <p>Each layer's keys and values live in a preallocated buffer with room for {@code capacity ≥ S} positions; a
 * step writes its new positions in place (a slice assignment) and attends to a view of the first S columns, so
 * decoding does not copy the cache every step. A full buffer grows to twice the needed length (amortised
 * copies). Row operations (join, leave, padding) build new buffers; they happen when rows enter or leave.
 * Owns its arrays through its own manager; close it when the generation ends.
 */
public final class KvCache implements AutoCloseable {
    /** Positions a fresh buffer holds at least. */
    static final int MIN_CAPACITY = 64;

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;
    private int capacity;

    public KvCache(NDManager parent, int numLayers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[numLayers];
        this.values = new NDArray[numLayers];
    }

    /** Number of cached positions (including padding positions of left-padded rows). */
    public int length() { return length; }

    /** Positions the buffers hold before they must grow. */
    int capacity() { return capacity; }

    /**
     * Writes this step's keys kT [B, KV, hd, T] and values v [B, KV, T, hd] of a layer after the cached positions;
     * returns views of the full [kT, v] (valid until the next call for this layer). The length advances once the
     * last layer has appended.
     */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        int t = (int) v.getShape().get(2);
        int end = length + t;
        if (keys[layer] == null || end > capacity) {
            if (keys[layer] == null && layer == 0 && length == 0) {
                capacity = Math.max(MIN_CAPACITY, 2 * end);
            } else if (end > capacity) {
                grow(2 * end);
            }
            if (keys[layer] == null) {
                replace(layer, buffer(k, true), buffer(v, false));
            }
        }
        keys[layer].set(new NDIndex(":, :, :, {}:{}", length, end), k);
        values[layer].set(new NDIndex(":, :, {}:{}, :", length, end), v);
        if (layer == keys.length - 1) {
            length = end;
        }
        NDManager step = v.getManager();
        return new NDArray[] {validKeys(layer, end, step), validValues(layer, end, step)};
    }

    /** A zero buffer with {@link #capacity} positions shaped like a step's keys (transposed) or values. */
    private NDArray buffer(NDArray like, boolean transposedKeys) {
        Shape s = like.getShape();
        Shape shape = transposedKeys ? new Shape(s.get(0), s.get(1), s.get(2), capacity)
                : new Shape(s.get(0), s.get(1), capacity, s.get(3));
        return manager.zeros(shape, like.getDataType());
    }

    /** A view of a layer's first n key columns, owned by {@code owner}. */
    private NDArray validKeys(int layer, int n, NDManager owner) {
        return owned(keys[layer].get(new NDIndex(":, :, :, :{}", n)), owner);
    }

    private NDArray validValues(int layer, int n, NDManager owner) {
        return owned(values[layer].get(new NDIndex(":, :, :{}, :", n)), owner);
    }

    private static NDArray owned(NDArray a, NDManager owner) {
        a.attach(owner);
        return a;
    }

    /** Reallocates every layer's buffers with room for {@code newCapacity} positions, keeping the cached ones. */
    private void grow(int newCapacity) {
        capacity = Math.max(newCapacity, MIN_CAPACITY);
        try (NDManager tmp = manager.newSubManager()) {
            for (int l = 0; l < keys.length; l++) {
                if (keys[l] != null) {
                    rebuild(l, validKeys(l, length, tmp), validValues(l, length, tmp), 0);
                }
            }
        }
    }

    /** Replaces a layer's buffers by fresh ones holding kT, v (S positions) from column {@code offset}. */
    private void rebuild(int layer, NDArray kT, NDArray v, int offset) {
        int s = (int) v.getShape().get(2);
        NDArray nk = buffer(kT, true);
        NDArray nv = buffer(v, false);
        nk.set(new NDIndex(":, :, :, {}:{}", offset, offset + s), kT);
        nv.set(new NDIndex(":, :, {}:{}, :", offset, offset + s), v);
        replace(layer, nk, nv);
    }

    /** Keeps only the given batch rows (used when finished rows leave a batch). */
    public void selectRows(long[] rows) {
        if (keys[0] == null) {
            return;
        }
        try (NDManager tmp = manager.newSubManager()) {
            NDArray idx = Tensors.create(tmp, rows);
            for (int l = 0; l < keys.length; l++) {
                if (keys[l] != null) {
                    replace(l, keys[l].get(idx), values[l].get(idx));
                }
            }
        }
    }

    /** Number of batch rows held (0 before the first append). */
    public int rows() {
        return keys[0] == null ? 0 : (int) keys[0].getShape().get(0);
    }

    /**
     * Prepends {@code n} zero positions to every row (left padding: the caller masks them as invalid keys), so that
     * a shorter cache lines up with a longer one before {@link #appendRows}.
     */
    public void padLeft(int n) {
        if (n <= 0 || keys[0] == null) {
            return;
        }
        capacity = Math.max(capacity, 2 * (length + n));
        try (NDManager tmp = manager.newSubManager()) {
            for (int l = 0; l < keys.length; l++) {
                rebuild(l, validKeys(l, length, tmp), validValues(l, length, tmp), n);
            }
        }
        length += n;
    }

    /** Drops the first {@code n} positions of every row (padding no row attends to any more). */
    public void dropLeft(int n) {
        if (n <= 0 || keys[0] == null) {
            return;
        }
        if (n > length) {
            throw new IllegalArgumentException("cannot drop " + n + " of " + length + " positions");
        }
        try (NDManager tmp = manager.newSubManager()) {
            for (int l = 0; l < keys.length; l++) {
                rebuild(l, owned(keys[l].get(new NDIndex(":, :, :, {}:{}", n, length)), tmp),
                        owned(values[l].get(new NDIndex(":, :, {}:{}, :", n, length)), tmp), 0);
            }
        }
        length -= n;
    }

    /** Appends the rows of {@code other} (same length; pad the shorter one first) after this cache's rows. */
    public void appendRows(KvCache other) {
        if (other.keys[0] == null) {
            return;
        }
        if (keys[0] == null) {
            length = other.length;
            capacity = Math.max(other.capacity, MIN_CAPACITY);
            try (NDManager tmp = manager.newSubManager()) {
                for (int l = 0; l < keys.length; l++) {
                    rebuild(l, other.validKeys(l, length, tmp), other.validValues(l, length, tmp), 0);
                }
            }
            return;
        }
        if (other.length != length) {
            throw new IllegalArgumentException("row append needs equal lengths, got " + length + " and " + other.length);
        }
        capacity = Math.max(capacity, other.capacity);
        try (NDManager tmp = manager.newSubManager()) {
            for (int l = 0; l < keys.length; l++) {
                rebuild(l, owned(validKeys(l, length, tmp).concat(other.validKeys(l, length, tmp), 0), tmp),
                        owned(validValues(l, length, tmp).concat(other.validValues(l, length, tmp), 0), tmp), 0);
            }
        }
    }

    private void replace(int layer, NDArray k, NDArray v) {
        k.attach(manager);
        v.attach(manager);
        if (keys[layer] != null) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = k;
        values[layer] = v;
    }

    @Override
    public void close() { manager.close(); }
}
