package dev.zhyper.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.embed.Embedder;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.nn.Parameter;
import dev.zhyper.core.nn.Tensors;
import dev.zhyper.core.text.ChatTemplate;
import dev.zhyper.core.text.TextTokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SFT of θ = {A, B, φ} on a frozen base: one call to {@link #step()} is one optimizer update on a batch from the
 * {@link TaskSampler}. Every step runs in its own NDManager, so native memory stays flat over any number of
 * steps. Randomness (batch, description, dropout, NEFTune) is a function of (seed, step): a run resumed from a
 * checkpoint at step k continues exactly as the uninterrupted run.
 */
public final class Trainer implements AutoCloseable {

    /** What one update did. */
    public record StepResult(long step, double loss, double lr, double gradNorm, int tokens, long millis) {}

    private final DecoderModel base;
    private final ZhyperAdapter adapter;
    private final Embedder embedder;
    private final TextTokenizer tokenizer;
    private final ChatTemplate template;
    private final TaskSampler sampler;
    private final TrainOptions options;
    private final LearningRate schedule;
    private final AdamW optimizer;
    private final List<Parameter> trainable;

    public Trainer(DecoderModel base, ZhyperAdapter adapter, Embedder embedder, TextTokenizer tokenizer,
                   ChatTemplate template, TaskSampler sampler, TrainOptions options) {
        this(base, adapter, embedder, tokenizer, template, sampler, options, null);
    }

    /** As above with an explicit learning-rate schedule (null: warm-up and linear decay over options.steps()). */
    public Trainer(DecoderModel base, ZhyperAdapter adapter, Embedder embedder, TextTokenizer tokenizer,
                   ChatTemplate template, TaskSampler sampler, TrainOptions options, LearningRate schedule) {
        if (adapter.hyperSpec() != null && embedder != null && embedder.dim() != adapter.hyperSpec().embedDim()) {
            throw new IllegalArgumentException("embedder " + embedder.id() + " gives " + embedder.dim()
                    + "-d vectors but the hypernetwork expects " + adapter.hyperSpec().embedDim());
        }
        this.base = base;
        this.adapter = adapter;
        this.embedder = embedder;
        this.tokenizer = tokenizer;
        this.template = template;
        this.sampler = sampler;
        this.options = options;
        this.schedule = schedule != null ? schedule : LrSchedule.of(options.lr(), options.warmupFraction(), options.steps());
        this.trainable = adapter.parameters().trainable();
        for (Parameter p : trainable) {
            p.array().setRequiresGradient(true);
        }
        this.optimizer = new AdamW(adapter.manager(), trainable, options.parameterGroups(adapter.hyperSpec() != null));
    }

    public AdamW optimizer() { return optimizer; }

    public TrainOptions options() { return options; }

    public ZhyperAdapter adapter() { return adapter; }

    /** Updates applied so far (the next step's index). */
    public long stepsDone() { return optimizer.step(); }

    public boolean finished() { return optimizer.step() >= options.steps(); }

    /** Runs the next update. */
    public StepResult step() {
        long t0 = System.nanoTime();
        long step = optimizer.step();
        List<TaskSampler.Sample> batch = sampler.batch(step, options.batchSize());
        Engine.getInstance().setRandomSeed((int) (options.seed() * 1_000_003L + step));
        LossAndGrads lg = lossAndGradients(batch, true);
        try {
            double norm = Gradients.clip(lg.grads(), options.gradClip());
            double lr = schedule.at(step);
            optimizer.update(trainable, lg.grads(), lr);
            return new StepResult(step, lg.loss(), lr, norm, lg.tokens(), (System.nanoTime() - t0) / 1_000_000);
        } finally {
            lg.grads().values().forEach(NDArray::close);
        }
    }

    /** The loss of a batch and the gradient of every trainable parameter (caller closes the gradients). */
    public record LossAndGrads(double loss, Map<String, NDArray> grads, int tokens) {}

    /**
     * Forward and backward on a batch. With {@code training} false, dropout and NEFTune are off (used by the
     * gradient check and for evaluation loss).
     */
    public LossAndGrads lossAndGradients(List<TaskSampler.Sample> batch, boolean training) {
        List<String[]> rows = new ArrayList<>();
        List<String> conditions = new ArrayList<>();
        for (TaskSampler.Sample s : batch) {
            String system = options.descriptionInPrompt() ? s.description() : null;
            rows.add(new String[] {system, s.example().prompt(), s.example().response()});
            conditions.add(options.conditionOnTaskName() ? s.example().task() : s.description());
        }
        SftBatch sft = SftBatch.encode(tokenizer, template, rows, options.maxLength());
        float[][] emb = adapter.hyperSpec() == null ? null : embedder.embed(conditions);
        double lossValue;
        try (NDManager m = adapter.manager().newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Recipe recipe = options.recipe();
                NDArray c = emb == null ? null : embeddingArray(m, emb);
                if (c != null && training && recipe.conditionNoise() > 0) {
                    // relative: per-dimension σ · RMS(c), a perturbation of norm ≈ σ · ‖c‖ (c is an input, not recorded)
                    double rms = Math.sqrt(c.square().mean().toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                            .getDouble());
                    c = c.add(m.randomNormal(0f, (float) (recipe.conditionNoise() * rms), c.getShape(),
                            c.getDataType()));
                }
                ZhyperAdapter.TrainingForward fwd = adapter.forTraining(m, c, training, recipe.loraDropout());
                NDArray logits = base.forward(m, sft.input(), null, fwd.delta(),
                        new DecoderModel.ForwardOptions(false, training, training ? options.neftuneAlpha() : 0f));
                NDArray loss = sft.loss(m, logits, training ? options.labelSmoothing() : 0.0);
                if (recipe.factorL2() > 0 && fwd.generatedSquares() != null) {
                    // the penalty is part of the objective in training and in the gradient check alike
                    loss = loss.add(Tensors.mul(fwd.generatedSquares(), recipe.factorL2()));
                }
                lossValue = loss.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
                gc.backward(loss);
            }
            return new LossAndGrads(lossValue, Gradients.collect(trainable, adapter.manager()), sft.scoredTokens());
        }
    }

    private NDArray embeddingArray(NDManager m, float[][] emb) {
        int d = emb[0].length;
        float[] flat = new float[emb.length * d];
        for (int i = 0; i < emb.length; i++) {
            System.arraycopy(emb[i], 0, flat, i * d, d);
        }
        return Tensors.create(m, flat, new Shape(emb.length, d)).toType(adapter.dtype(), false);
    }

    @Override
    public void close() {
        optimizer.close();
        for (Parameter p : trainable) {
            p.array().setRequiresGradient(false);
        }
    }
}
