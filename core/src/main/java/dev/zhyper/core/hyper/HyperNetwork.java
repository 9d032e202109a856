package dev.zhyper.core.hyper;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import dev.zhyper.core.model.Activation;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.core.nn.Init;
import dev.zhyper.core.nn.Parameter;
import dev.zhyper.core.nn.ParameterSet;
import dev.zhyper.core.nn.Tensors;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * H_φ(c, l, t): the Text-to-LoRA trunk with one small head per module type (docs/method.md §2).
 *
 * <pre>
 * c     = (c − μ) / s                    (centred specs only: μ, s frozen, from the training descriptions)
 * task  = LN(Linear(d_c→64)(c))          layer = LN(E_layer[l])          type = LN(E_type[t])
 * x     = [task | layer | type]           (128)
 * x     = mixer(x)                        Dropout, Linear(128→512), SiLU, Dropout, Linear(512→128), SiLU, Dropout
 * x     = x + block_i(x), i = 1..2        LN, Linear(128→512), SiLU, Dropout, Linear(512→128), SiLU, Dropout
 * h     = mlp3(x)                         LN, Linear(128→512), SiLU, Dropout, Linear(512→512), SiLU
 * out_t = head_t(h)                       r (diag), r² (square) or r(d_in+d_out) (T2L)
 * </pre>
 * Dropout is active only in training. The diag/square head weights start at zero (bias default-initialised),
 * so the initial z does not depend on the context (with zero-z and LoRA-XS the bias is 0 as well). The outputs are
 * h(c); {@code ZhyperAdapter} maps them to Z(c) by the adapter's {@code ZParametrisation}.
 */
public final class HyperNetwork {
    private static final float LN_EPS = 1e-5f;
    public static final String CONDITION_MEAN = "hyper.condition.mean";
    public static final String CONDITION_SCALE = "hyper.condition.scale";

    private final HyperSpec spec;
    private final List<HeadShape> heads;
    private final ParameterSet params;
    private final List<String> blockNames = new ArrayList<>();

    /**
     * @param heads     one head per module type, in the order {@link #forward} returns them
     * @param numLayers the base model's layer count (rows of the layer embedding)
     */
    public HyperNetwork(HyperSpec spec, List<HeadShape> heads, int numLayers, NDManager m, DataType dtype,
                        SplittableRandom rng, ParameterSet params) {
        if (heads.isEmpty()) throw new IllegalArgumentException("a hypernetwork needs at least one head");
        this.spec = spec;
        this.heads = List.copyOf(heads);
        this.params = params;
        if (spec.centred()) {
            // frozen: set once from the training descriptions (calibrate), then saved and served like any weight
            params.add(new Parameter(CONDITION_MEAN, Init.constant(m, 0f, dtype, spec.embedDim()), false));
            params.add(new Parameter(CONDITION_SCALE, Init.constant(m, 1f, dtype, 1), false));
        }
        linear(m, rng, dtype, "hyper.task", spec.embedDim(), spec.taskDim());
        layerNorm(m, dtype, "hyper.task_norm", spec.taskDim());
        params.add(new Parameter("hyper.layer_embedding.weight",
                Init.normal(m, rng, 1.0, dtype, numLayers, spec.layerDim()), true));
        layerNorm(m, dtype, "hyper.layer_norm", spec.layerDim());
        params.add(new Parameter("hyper.type_embedding.weight",
                Init.normal(m, rng, 1.0, dtype, this.heads.size(), spec.typeDim()), true));
        layerNorm(m, dtype, "hyper.type_norm", spec.typeDim());
        int in = spec.inputDim();
        linear(m, rng, dtype, "hyper.mixer.0", in, spec.hiddenDim());
        linear(m, rng, dtype, "hyper.mixer.1", spec.hiddenDim(), in);
        for (int i = 0; i < spec.residualBlocks(); i++) {
            String p = "hyper.block" + i;
            blockNames.add(p);
            layerNorm(m, dtype, p + ".norm", in);
            linear(m, rng, dtype, p + ".0", in, spec.hiddenDim());
            linear(m, rng, dtype, p + ".1", spec.hiddenDim(), in);
        }
        layerNorm(m, dtype, "hyper.mlp3.norm", in);
        linear(m, rng, dtype, "hyper.mlp3.0", in, spec.hiddenDim());
        linear(m, rng, dtype, "hyper.mlp3.1", spec.hiddenDim(), spec.outDim());
        for (HeadShape h : this.heads) {
            head(m, rng, dtype, h);
        }
    }

    private void linear(NDManager m, SplittableRandom rng, DataType dtype, String name, int in, int out) {
        double bound = 1.0 / Math.sqrt(in);
        params.add(new Parameter(name + ".weight", Init.uniform(m, rng, bound, dtype, out, in), true));
        params.add(new Parameter(name + ".bias", Init.uniform(m, rng, bound, dtype, out), true));
    }

    private void layerNorm(NDManager m, DataType dtype, String name, int dim) {
        params.add(new Parameter(name + ".weight", Init.constant(m, 1f, dtype, dim), true));
        params.add(new Parameter(name + ".bias", Init.constant(m, 0f, dtype, dim), true));
    }

    private void head(NDManager m, SplittableRandom rng, DataType dtype, HeadShape h) {
        int width = h.width();
        String name = headName(h.target());
        NDArray bias;
        if (h.bias() instanceof HeadShape.LoraA a) {
            // the bias starts as a LoRA (A Kaiming-uniform, B zero) and the weight at zero, so ΔW = 0 at step 0
            float[] bv = new float[width];
            double aBound = 1.0 / Math.sqrt(a.inDim());
            for (int i = 0; i < a.rank() * a.inDim(); i++) {
                bv[i] = (float) ((rng.nextDouble() * 2 - 1) * aBound);
            }
            bias = Tensors.create(m, bv, new Shape(width)).toType(dtype, false);
        } else if (h.bias() instanceof HeadShape.Zero) {
            bias = Init.constant(m, 0f, dtype, width);
        } else {
            bias = Init.uniform(m, rng, 1.0 / Math.sqrt(spec.outDim()), dtype, width);
        }
        params.add(new Parameter(name + ".weight", Init.constant(m, 0f, dtype, width, spec.outDim()), true));
        params.add(new Parameter(name + ".bias", bias, true));
    }

    public static String headName(TargetModule t) { return "hyper.head." + t.hfName(); }

    public HyperSpec spec() { return spec; }

    /**
     * Sets the centring of a {@linkplain HyperSpec#centred centred} hypernetwork from the embeddings of its
     * training descriptions: μ their mean, s = √(mean ‖c − μ‖² / d_c), so that c' keeps the per-dimension scale of
     * the raw embeddings. Call once, before training; a no-op for a spec without centring. With fewer than two
     * distinct embeddings (a single training description) there is no spread to measure, and the centring stays
     * the identity (μ = 0, s = 1).
     *
     * @return whether the centring was set (false: identity kept)
     */
    public boolean calibrate(float[][] embeddings) {
        if (!spec.centred()) {
            return false;
        }
        int d = spec.embedDim();
        if (embeddings.length < 2) {
            return false;
        }
        double[] mean = new double[d];
        for (float[] e : embeddings) {
            if (e.length != d) {
                throw new IllegalArgumentException("embedding of dimension " + e.length + ", expected " + d);
            }
            for (int j = 0; j < d; j++) {
                mean[j] += e[j] / (double) embeddings.length;
            }
        }
        double ss = 0;
        for (float[] e : embeddings) {
            for (int j = 0; j < d; j++) {
                ss += (e[j] - mean[j]) * (e[j] - mean[j]);
            }
        }
        double scale = Math.sqrt(ss / embeddings.length / d);
        if (!(scale > 0) || !Double.isFinite(scale)) {
            return false;
        }
        float[] mu = new float[d];
        for (int j = 0; j < d; j++) {
            mu[j] = (float) mean[j];
        }
        NDArray meanArr = p(CONDITION_MEAN);
        try (NDManager m = meanArr.getManager().newSubManager()) {
            meanArr.set(Tensors.create(m, mu, new Shape(d)).toType(meanArr.getDataType(), false).toByteBuffer());
            NDArray sc = p(CONDITION_SCALE);
            sc.set(Tensors.create(m, new float[] {(float) scale}, new Shape(1)).toType(sc.getDataType(), false)
                    .toByteBuffer());
        }
        return true;
    }

    /**
     * Runs the hypernetwork for N contexts over the given layers and every target type.
     *
     * @param embeddings [N, d_c] description embeddings (request-scoped)
     * @return per head (in the constructor's order) its output [N, layers.length, width]
     */
    public NDArray[] forward(NDManager m, NDArray embeddings, int[] layers, boolean training) {
        long n = embeddings.getShape().get(0);
        int nl = layers.length;
        int nt = heads.size();
        NDArray c = spec.centred() ? embeddings.sub(p(CONDITION_MEAN)).div(p(CONDITION_SCALE)) : embeddings;
        NDArray task = norm(lin(c, "hyper.task"), "hyper.task_norm");                        // [N, 64]
        long[] layerIds = new long[nl];
        for (int i = 0; i < nl; i++) {
            layerIds[i] = layers[i];
        }
        NDArray layer = norm(lookup(Tensors.create(m, layerIds), "hyper.layer_embedding.weight"), "hyper.layer_norm");
        long[] typeIds = new long[nt];
        for (int i = 0; i < nt; i++) {
            typeIds[i] = i;
        }
        NDArray type = norm(lookup(Tensors.create(m, typeIds), "hyper.type_embedding.weight"), "hyper.type_norm");
        Shape grid = new Shape(n, nl, nt);
        NDArray x = task.reshape(n, 1, 1, spec.taskDim()).broadcast(grid.add(spec.taskDim()))
                .concat(layer.reshape(1, nl, 1, spec.layerDim()).broadcast(grid.add(spec.layerDim())), -1)
                .concat(type.reshape(1, 1, nt, spec.typeDim()).broadcast(grid.add(spec.typeDim())), -1)
                .reshape(n * nl * nt, spec.inputDim());
        x = drop(x, training);
        x = drop(silu(lin(drop(silu(lin(x, "hyper.mixer.0")), training), "hyper.mixer.1")), training);
        for (String b : blockNames) {
            NDArray y = silu(lin(norm(x, b + ".norm"), b + ".0"));
            y = drop(silu(lin(drop(y, training), b + ".1")), training);
            x = x.add(y);
        }
        NDArray h = silu(lin(norm(x, "hyper.mlp3.norm"), "hyper.mlp3.0"));
        h = silu(lin(drop(h, training), "hyper.mlp3.1")).reshape(n, nl, nt, spec.outDim());
        NDArray[] out = new NDArray[nt];
        for (int t = 0; t < nt; t++) {
            out[t] = lin(h.get(":, :, " + t + ", :"), headName(heads.get(t).target()));
        }
        return out;
    }

    private NDArray p(String name) { return params.get(name).array(); }

    private NDArray lin(NDArray x, String name) {
        return Linear.linear(x, p(name + ".weight"), p(name + ".bias")).singletonOrThrow();
    }

    private NDArray norm(NDArray x, String name) {
        long d = x.getShape().get(x.getShape().dimension() - 1);
        return LayerNorm.layerNorm(x, new Shape(d), p(name + ".weight"), p(name + ".bias"), LN_EPS)
                .singletonOrThrow();
    }

    private NDArray lookup(NDArray ids, String name) {
        return Embedding.embedding(ids, p(name), SparseFormat.DENSE).singletonOrThrow();
    }

    private static NDArray silu(NDArray x) { return Activation.SILU.apply(x); }

    private NDArray drop(NDArray x, boolean training) {
        if (!training || spec.dropout() == 0) {
            return x;
        }
        return Dropout.dropout(x, (float) spec.dropout(), true).singletonOrThrow();
    }
}
