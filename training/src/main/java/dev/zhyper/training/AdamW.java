package dev.zhyper.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.zhyper.core.checkpoint.OptimizerState;
import dev.zhyper.core.nn.NoGrad;
import dev.zhyper.core.nn.Parameter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as torch.optim.AdamW:
 * p ← p·(1 − lr·λ) − lr·m̂/(√v̂ + ε). As the Hugging Face Trainer, biases and norm weights are not decayed.
 * The moments live in the optimizer's own manager and are part of checkpoints.
 *
 * <p>Parameter groups (as torch's {@code param_groups}): each parameter belongs to the first {@link Group} whose
 * predicate accepts its name and is updated with lr × {@link Group#lrScale()} and that group's weight decay.
 */
public final class AdamW implements OptimizerState, AutoCloseable {

    /** A parameter group: members by name, learning-rate multiplier, weight decay. */
    public record Group(String name, Predicate<String> members, double lrScale, double weightDecay) {}

    private final List<Group> groups;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final NDManager manager;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long step;

    public AdamW(NDManager parent, List<Parameter> params, double weightDecay) {
        this(parent, params, 0.9, 0.999, 1e-8, List.of(new Group("all", n -> true, 1.0, weightDecay)));
    }

    public AdamW(NDManager parent, List<Parameter> params, List<Group> groups) {
        this(parent, params, 0.9, 0.999, 1e-8, groups);
    }

    public AdamW(NDManager parent, List<Parameter> params, double beta1, double beta2, double eps, double weightDecay) {
        this(parent, params, beta1, beta2, eps, List.of(new Group("all", n -> true, 1.0, weightDecay)));
    }

    public AdamW(NDManager parent, List<Parameter> params, double beta1, double beta2, double eps, List<Group> groups) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.groups = List.copyOf(groups);
        for (Parameter p : params) {
            group(p.name());
        }
        this.manager = parent.newSubManager();
        for (Parameter p : params) {
            m.put(p.name(), manager.zeros(p.array().getShape(), p.array().getDataType()));
            v.put(p.name(), manager.zeros(p.array().getShape(), p.array().getDataType()));
        }
    }

    public static boolean decays(String name) {
        return !(name.endsWith(".bias") || name.contains("norm"));
    }

    /** The group of a parameter: the first whose predicate accepts the name. */
    public Group group(String name) {
        for (Group g : groups) {
            if (g.members().test(name)) {
                return g;
            }
        }
        throw new IllegalArgumentException("parameter " + name + " is in no parameter group");
    }

    /** Number of updates applied so far. */
    @Override
    public long step() { return step; }

    @Override
    public void setStep(long s) { this.step = s; }

    @Override
    public Map<String, NDArray> firstMoments() { return m; }

    @Override
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
                Group group = group(p.name());
                double plr = lr * group.lrScale();
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
                update.divi(root.addi(eps)).muli(plr);
                NDArray w = p.array();
                if (group.weightDecay() > 0 && decays(p.name())) {
                    w.muli(1 - plr * group.weightDecay());
                }
                w.subi(update);
            }
        }
    }

    @Override
    public void close() { manager.close(); }
}
