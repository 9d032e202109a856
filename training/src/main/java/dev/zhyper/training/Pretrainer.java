package dev.zhyper.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.zhyper.core.io.SafeTensorsWriter;
import dev.zhyper.core.io.TensorData;
import dev.zhyper.core.model.DecoderInput;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.nn.Parameter;
import dev.zhyper.core.text.TextTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Full-parameter language-model pretraining of a (small) base model on plain text lines: every token of
 * {@code <s> line </s>} is scored. Used to make the project's own tiny base model; the result is written as a
 * normal HF model directory.
 */
public final class Pretrainer implements AutoCloseable {

    public record Options(int steps, int batchSize, double lr, double warmupFraction, double weightDecay,
                          double gradClip, long seed, int maxLength) {}

    private final DecoderModel model;
    private final TextTokenizer tokenizer;
    private final Options options;
    private final List<Parameter> params;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final NDManager gradManager;

    public Pretrainer(DecoderModel model, TextTokenizer tokenizer, Options options) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.options = options;
        this.params = model.parameters().all();
        for (Parameter p : params) {
            p.array().setRequiresGradient(true);
        }
        this.optimizer = new AdamW(model.manager(), params, options.weightDecay());
        this.schedule = LrSchedule.of(options.lr(), options.warmupFraction(), options.steps());
        this.gradManager = model.manager().newSubManager();
    }

    public long stepsDone() { return optimizer.step(); }

    public boolean finished() { return optimizer.step() >= options.steps(); }

    /** One update on a batch of lines; returns the mean token loss. */
    public Trainer.StepResult step(List<String> lines) {
        long t0 = System.nanoTime();
        long step = optimizer.step();
        Engine.getInstance().setRandomSeed((int) (options.seed() * 1_000_003L + step));
        int bos = tokenizer.bosId().orElseThrow(() -> new IllegalStateException("tokenizer has no BOS token"));
        int eos = tokenizer.eosId().orElseThrow(() -> new IllegalStateException("tokenizer has no EOS token"));
        int[][] rows = new int[lines.size()][];
        int total = 0;
        for (int i = 0; i < rows.length; i++) {
            int[] ids = tokenizer.encode(lines.get(i), false);
            int n = Math.min(ids.length + 2, options.maxLength());
            int[] r = new int[n];
            r[0] = bos;
            System.arraycopy(ids, 0, r, 1, Math.min(ids.length, n - 1));
            if (ids.length + 2 <= n) {
                r[n - 1] = eos;
            }
            rows[i] = r;
            total += n - 1;
        }
        DecoderInput input = DecoderInput.rightPadded(rows, tokenizer.padId().orElse(eos));
        int t = input.length();
        int[][] targets = new int[rows.length][t];
        float[][] weights = new float[rows.length][t];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j + 1 < rows[i].length; j++) {
                targets[i][j] = rows[i][j + 1];
                weights[i][j] = 1f / total;
            }
        }
        SftBatch batch = new SftBatch(input, targets, weights, total);
        double loss;
        Map<String, NDArray> grads;
        try (NDManager m = model.manager().newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(m, input, null, null, DecoderModel.ForwardOptions.FULL);
                NDArray l = batch.loss(m, logits, 0.0);
                loss = l.toType(DataType.FLOAT64, false).getDouble();
                gc.backward(l);
            }
            grads = Gradients.collect(params, gradManager);
        }
        try {
            double norm = Gradients.clip(grads, options.gradClip());
            double lr = schedule.at(step);
            optimizer.update(params, grads, lr);
            return new Trainer.StepResult(step, loss, lr, norm, total, (System.nanoTime() - t0) / 1_000_000);
        } finally {
            grads.values().forEach(NDArray::close);
        }
    }

    /** Writes the current weights as a HF model directory (config and tokenizer files copied from {@code source}). */
    public void save(Path source, Path out) throws IOException {
        Files.createDirectories(out);
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
            if (Files.exists(source.resolve(f)) && !source.toAbsolutePath().equals(out.toAbsolutePath())) {
                Files.copy(source.resolve(f), out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        List<TensorData> tensors = new ArrayList<>();
        for (Parameter p : params) {
            float[] v = p.array().toType(DataType.FLOAT32, false).toFloatArray();
            if (model.config().normWeightOffset() && p.name().endsWith("norm.weight")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] -= 1f;   // stored as offsets from one
                }
            }
            tensors.add(TensorData.ofFloats(p.name(), v, p.array().getShape().getShape()));
        }
        SafeTensorsWriter.write(out.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
    }

    @Override
    public void close() {
        optimizer.close();
        gradManager.close();
        for (Parameter p : params) {
            p.array().setRequiresGradient(false);
        }
    }
}
