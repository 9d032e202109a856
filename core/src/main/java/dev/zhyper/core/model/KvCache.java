package dev.zhyper.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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

    @Override
    public void close() { manager.close(); }
}
