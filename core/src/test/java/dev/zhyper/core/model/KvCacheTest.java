package dev.zhyper.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.zhyper.core.nn.Tensors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The preallocated cache: in-place appends across growth, and the row operations keep every cached value. */
class KvCacheTest {
    static final int KV = 2;
    static final int HD = 3;

    /** Keys kT [B, KV, HD, T] and values [B, KV, T, HD] whose entries encode (row, position, head, dim). */
    static NDArray[] step(NDManager m, int rows, int from, int t) {
        float[] k = new float[rows * KV * HD * t];
        float[] v = new float[rows * KV * t * HD];
        for (int b = 0; b < rows; b++) {
            for (int h = 0; h < KV; h++) {
                for (int p = 0; p < t; p++) {
                    for (int d = 0; d < HD; d++) {
                        float x = code(b, from + p, h, d);
                        k[((b * KV + h) * HD + d) * t + p] = x;
                        v[((b * KV + h) * t + p) * HD + d] = -x;
                    }
                }
            }
        }
        return new NDArray[] {Tensors.create(m, k, new Shape(rows, KV, HD, t)),
                Tensors.create(m, v, new Shape(rows, KV, t, HD))};
    }

    static float code(int row, int pos, int head, int dim) { return 1 + row * 100000 + pos * 100 + head * 10 + dim; }

    /** Appends positions [from, from + t) to both layers and returns layer 1's full [kT, v]. */
    static NDArray[] append(KvCache c, NDManager m, int rows, int from, int t) {
        NDArray[] s = step(m, rows, from, t);
        c.append(0, s[0], s[1]);
        return c.append(1, s[0], s[1]);
    }

    @Test
    void appendsInPlaceAcrossGrowthAndReturnsEveryCachedPosition() {
        try (NDManager m = NDManager.newBaseManager(); KvCache c = new KvCache(m, 2)) {
            NDArray[] full = append(c, m, 2, 0, 5);
            int capacity = c.capacity();
            assertTrue(capacity >= KvCache.MIN_CAPACITY);
            for (int p = 5; p < capacity + 40; p++) {     // one position a step, through at least one growth
                full = append(c, m, 2, p, 1);
            }
            int n = capacity + 40;
            assertEquals(n, c.length());
            assertTrue(c.capacity() > capacity, "the buffer grew");
            NDArray[] expected = step(m, 2, 0, n);
            assertArrayEquals(expected[0].toFloatArray(), full[0].toFloatArray());
            assertArrayEquals(expected[1].toFloatArray(), full[1].toFloatArray());
        }
    }

    @Test
    void rowOperationsKeepTheCachedValues() {
        try (NDManager m = NDManager.newBaseManager();
             KvCache a = new KvCache(m, 2); KvCache b = new KvCache(m, 2)) {
            append(a, m, 2, 0, 6);
            append(b, m, 1, 0, 3);
            b.padLeft(3);                                  // b: 3 zero positions, then its 3
            assertEquals(6, b.length());
            a.appendRows(b);                               // rows: a0, a1, b0
            assertEquals(3, a.rows());
            a.selectRows(new long[] {2, 0});               // rows: b0, a0
            a.dropLeft(3);                                 // positions 3..5 of a0, b0's own 0..2
            NDArray[] full = append(a, m, 2, 100, 1);
            assertEquals(4, a.length());
            float[] k = full[0].toFloatArray();            // [2, KV, HD, 4]
            for (int h = 0; h < KV; h++) {
                for (int d = 0; d < HD; d++) {
                    for (int p = 0; p < 3; p++) {
                        assertEquals(code(0, p, h, d), k[((0 * KV + h) * HD + d) * 4 + p], "b0 position " + p);
                        assertEquals(code(0, 3 + p, h, d), k[((1 * KV + h) * HD + d) * 4 + p], "a0 position " + (3 + p));
                    }
                    assertEquals(code(0, 100, h, d), k[((0 * KV + h) * HD + d) * 4 + 3]);
                    assertEquals(code(1, 100, h, d), k[((1 * KV + h) * HD + d) * 4 + 3]);
                }
            }
        }
    }
}
