package dev.zhyper.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.SplittableRandom;

/**
 * Deterministic parameter initialisation drawn in Java from a seeded generator, so that a seed gives the same
 * parameters on every device and engine.
 */
public final class Init {
    private Init() {}

    /** U(-bound, bound): PyTorch's default for Linear weights and biases is bound = 1/sqrt(fan_in). */
    public static NDArray uniform(NDManager m, SplittableRandom rng, double bound, DataType dtype, long... shape) {
        float[] v = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return Tensors.create(m, v, new Shape(shape)).toType(dtype, false);
    }

    /** N(0, std²). */
    public static NDArray normal(NDManager m, SplittableRandom rng, double std, DataType dtype, long... shape) {
        float[] v = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i += 2) {
            // Box-Muller, two values per draw
            double u1 = 1.0 - rng.nextDouble();
            double u2 = rng.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1)) * std;
            v[i] = (float) (r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < v.length) {
                v[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
            }
        }
        return Tensors.create(m, v, new Shape(shape)).toType(dtype, false);
    }

    public static NDArray constant(NDManager m, float value, DataType dtype, long... shape) {
        return m.full(new Shape(shape), value, dtype);
    }
}
