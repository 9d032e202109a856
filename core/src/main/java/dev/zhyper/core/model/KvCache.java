package dev.zhyper.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.zhyper.core.nn.Tensors;

/**
 * Keys (after RoPE, stored transposed as [B, KV, headDim, S]) and values ([B, KV, S, headDim]) of every layer
 * for a batch being decoded.
 * Owns its arrays through its own manager; close it when the generation ends.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;

    public KvCache(NDManager parent, int numLayers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[numLayers];
        this.values = new NDArray[numLayers];
    }

    /** Number of cached positions (including padding positions of left-padded rows). */
    public int length() { return length; }

    /** Appends this step's keys kT [B, KV, hd, T] and values v [B, KV, T, hd] of a layer; returns the full [kT, v]. */
    NDArray[] append(int layer, NDArray k, NDArray v) {
        NDArray fullK = keys[layer] == null ? k : keys[layer].concat(k, 3);
        NDArray fullV = values[layer] == null ? v : values[layer].concat(v, 2);
        fullK.attach(manager);
        fullV.attach(manager);
        if (keys[layer] != null) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = fullK;
        values[layer] = fullV;
        if (layer == keys.length - 1) {
            length = (int) fullV.getShape().get(2);
        }
        return new NDArray[] {fullK, fullV};
    }

    /** Keeps only the given batch rows (used when finished rows leave a batch). */
    public void selectRows(long[] rows) {
        if (keys[0] == null) {
            return;
        }
        try (NDManager tmp = manager.newSubManager()) {
            NDArray idx = Tensors.create(tmp, rows);
            for (int l = 0; l < keys.length; l++) {
                if (keys[l] == null) {
                    continue;
                }
                NDArray k = keys[l].get(idx);
                NDArray v = values[l].get(idx);
                k.attach(manager);
                v.attach(manager);
                keys[l].close();
                values[l].close();
                keys[l] = k;
                values[l] = v;
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
        for (int l = 0; l < keys.length; l++) {
            Shape ks = keys[l].getShape();
            Shape vs = values[l].getShape();
            NDArray zk = manager.zeros(new Shape(ks.get(0), ks.get(1), ks.get(2), n), keys[l].getDataType());
            NDArray zv = manager.zeros(new Shape(vs.get(0), vs.get(1), n, vs.get(3)), values[l].getDataType());
            replace(l, zk.concat(keys[l], 3), zv.concat(values[l], 2));
            zk.close();
            zv.close();
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
        for (int l = 0; l < keys.length; l++) {
            replace(l, keys[l].get(":, :, :, " + n + ":"), values[l].get(":, :, " + n + ":, :"));
        }
        length -= n;
    }

    /** Appends the rows of {@code other} (same length; pad the shorter one first) after this cache's rows. */
    public void appendRows(KvCache other) {
        if (other.keys[0] == null) {
            return;
        }
        if (keys[0] == null) {
            for (int l = 0; l < keys.length; l++) {
                replace(l, other.keys[l].duplicate(), other.values[l].duplicate());
            }
            length = other.length;
            return;
        }
        if (other.length != length) {
            throw new IllegalArgumentException("row append needs equal lengths, got " + length + " and " + other.length);
        }
        for (int l = 0; l < keys.length; l++) {
            replace(l, keys[l].concat(other.keys[l], 0), values[l].concat(other.values[l], 0));
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
