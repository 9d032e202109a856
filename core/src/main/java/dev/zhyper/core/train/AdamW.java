package dev.zhyper.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.zhyper.core.nn.NoGrad;
import dev.zhyper.core.nn.Parameter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as torch.optim.AdamW:
 * p ← p·(1 − lr·λ) − lr·m̂/(√v̂ + ε). As the Hugging Face Trainer, biases and norm weights are not decayed.
 * The moments live in the optimizer's own manager and are part of checkpoints.
 */
public final class AdamW implements AutoCloseable {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final NDManager manager;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long step;

    public AdamW(NDManager parent, List<Parameter> params, double weightDecay) {
        this(parent, params, 0.9, 0.999, 1e-8, weightDecay);
    }

    public AdamW(NDManager parent, List<Parameter> params, double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.manager = parent.newSubManager();
        for (Parameter p : params) {
            m.put(p.name(), manager.zeros(p.array().getShape(), p.array().getDataType()));
            v.put(p.name(), manager.zeros(p.array().getShape(), p.array().getDataType()));
        }
    }

    public static boolean decays(String name) {
        return !(name.endsWith(".bias") || name.contains("norm"));
    }

    /** Number of updates applied so far. */
    public long step() { return step; }

    public void setStep(long s) { this.step = s; }

    public Map<String, NDArray> firstMoments() { return m; }

    public Map<String, NDArray> secondMoments() { return v; }

    /** Applies one update with learning rate lr; grads are given by parameter name. */
    public void update(List<Parameter> params, Map<String, NDArray> grads, double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        try (NoGrad ignored = new NoGrad(); NDManager tmp = manager.newSubManager()) {
            for (Parameter p : params) {
                NDArray g = grads.get(p.name());
                if (g == null) {
                    continue;
                }
                NDArray mi = m.get(p.name());
                NDArray vi = v.get(p.name());
                NDArray gt = g.duplicate();
                gt.attach(tmp);
                mi.muli(beta1).addi(gt.mul(1 - beta1));
                vi.muli(beta2).addi(gt.mul(gt).muli(1 - beta2));
                NDArray denom = vi.div(bc2);
                denom.attach(tmp);
                NDArray update = mi.div(bc1);
                update.attach(tmp);
                NDArray root = denom.sqrt();
                root.attach(tmp);
                update.divi(root.addi(eps)).muli(lr);
                NDArray w = p.array();
                if (weightDecay > 0 && decays(p.name())) {
                    w.muli(1 - lr * weightDecay);
                }
                w.subi(update);
            }
        }
    }

    @Override
    public void close() { manager.close(); }
}
