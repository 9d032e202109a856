package dev.zhyper.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.zhyper.core.nn.NoGrad;
import dev.zhyper.core.nn.Parameter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Gradient bookkeeping shared by the adapter trainer and the pretrainer. */
final class Gradients {
    private Gradients() {}

    /** Copies each parameter's gradient into {@code owner} and clears autograd's buffer (caller closes them). */
    static Map<String, NDArray> collect(List<Parameter> params, NDManager owner) {
        Map<String, NDArray> grads = new LinkedHashMap<>();
        for (Parameter p : params) {
            NDArray g = p.array().getGradient();
            NDArray copy = g.duplicate();
            g.close();
            JniUtils.zeroGrad((PtNDArray) p.array());
            copy.attach(owner);
            grads.put(p.name(), copy);
        }
        return grads;
    }

    /** Global L2 norm; scales all gradients down to {@code max} when above it (max ≤ 0: no clipping). */
    static double clip(Map<String, NDArray> grads, double max) {
        double sq = 0;
        try (NoGrad ignored = new NoGrad(); NDScope scope = new NDScope()) {
            for (NDArray g : grads.values()) {
                sq += g.mul(g).sum().toType(DataType.FLOAT64, false).getDouble();
            }
        }
        double norm = Math.sqrt(sq);
        if (max > 0 && norm > max) {
            double scale = max / (norm + 1e-6);
            try (NoGrad ignored = new NoGrad()) {
                grads.values().forEach(g -> g.muli(scale));
            }
        }
        return norm;
    }
}
