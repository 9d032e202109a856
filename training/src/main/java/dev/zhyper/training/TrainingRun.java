package dev.zhyper.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.checkpoint.AdapterCheckpoint;
import dev.zhyper.core.checkpoint.Checkpoint;
import dev.zhyper.core.data.TrainingExample;
import dev.zhyper.core.embed.CachingEmbedder;
import dev.zhyper.core.embed.Embedder;
import dev.zhyper.core.embed.Embedders;
import dev.zhyper.core.embed.MiniLmEmbedder;
import dev.zhyper.core.embed.OneHotEmbedder;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.text.Prompting;
import dev.zhyper.core.text.TextTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * One training job end to end: load the base, build (or resume) the adapter, train, and write checkpoints to
 * {@code out} atomically every {@code checkpointEvery} steps and at the end. If {@code out} already holds a
 * checkpoint of the same spec with optimizer state, training resumes from it exactly.
 */
public final class TrainingRun {

    /** Which description encoder conditions the hypernetwork. */
    public enum Conditioning { MINILM, ONE_HOT }

    /**
     * @param lr       the learning-rate schedule; null = warm-up and linear decay over {@code options.steps()} (a
     *                 stream of rounds passes one continuous {@link WarmupConstant})
     * @param embedder the description encoder (with {@link Conditioning#MINILM}, i.e. descriptions): an
     *                 {@link Embedders} spec, {@code minilm}, {@code bge-small}, {@code e5-small}, or {@code base}
     *                 (the trained base model's own mean hidden states); null = minilm
     * @param hyper    the hypernetwork's widths (its embedDim is replaced by the embedder's); null = the paper's
     */
    public record Config(Path modelDir, AdapterSpec spec, TrainOptions options, Conditioning conditioning,
                         Path out, int checkpointEvery, ModelOptions modelOptions, LearningRate lr, String embedder,
                         HyperSpec hyper) {

        public Config(Path modelDir, AdapterSpec spec, TrainOptions options, Conditioning conditioning, Path out,
                      int checkpointEvery, ModelOptions modelOptions) {
            this(modelDir, spec, options, conditioning, out, checkpointEvery, modelOptions, null, null, null);
        }

        public Config(Path modelDir, AdapterSpec spec, TrainOptions options, Conditioning conditioning, Path out,
                      int checkpointEvery, ModelOptions modelOptions, LearningRate lr) {
            this(modelDir, spec, options, conditioning, out, checkpointEvery, modelOptions, lr, null, null);
        }

        public Config(Path modelDir, AdapterSpec spec, TrainOptions options, Conditioning conditioning, Path out,
                      int checkpointEvery, ModelOptions modelOptions, String embedder, HyperSpec hyper) {
            this(modelDir, spec, options, conditioning, out, checkpointEvery, modelOptions, null, embedder, hyper);
        }
    }

    /** The description embedder of a config (one-hot conditioning aside). */
    public static Embedder descriptionEmbedder(Path modelDir, String spec) {
        String s = spec == null ? "minilm" : spec.trim();
        if (s.equals("minilm")) {
            return new CachingEmbedder(new MiniLmEmbedder(), 65536);
        }
        if (s.equals("base")) {
            s = "base:" + modelDir;
        }
        return new CachingEmbedder(Embedders.fromSpec(s), 65536);
    }

    public record Result(Path checkpoint, long steps, double finalLoss, List<Trainer.StepResult> history) {}

    private TrainingRun() {}

    public static Result run(Config cfg, List<TrainingExample> data, Map<String, List<String>> descriptions,
                             Consumer<Trainer.StepResult> progress) {
        TrainOptions o = cfg.options();
        if (cfg.conditioning() == Conditioning.ONE_HOT && !o.conditionOnTaskName()) {
            o = o.withConditioning(o.descriptionInPrompt(), true);
        }
        List<String> labels = new ArrayList<>(new TreeSet<>(descriptions.keySet()));
        try (DecoderModel base = DecoderModel.load(cfg.modelDir(), cfg.modelOptions());
             TextTokenizer tok = TextTokenizer.load(cfg.modelDir());
             Embedder embedder = cfg.conditioning() == Conditioning.ONE_HOT ? new OneHotEmbedder(labels)
                     : descriptionEmbedder(cfg.modelDir(), cfg.embedder())) {
            AdapterCheckpoint.EmbedderInfo info = new AdapterCheckpoint.EmbedderInfo(embedder.id(), embedder.dim(),
                    cfg.conditioning() == Conditioning.ONE_HOT ? labels : null);
            ZhyperAdapter adapter;
            boolean resume = Files.isRegularFile(cfg.out().resolve(Checkpoint.MANIFEST));
            if (resume) {
                AdapterCheckpoint.Loaded l = AdapterCheckpoint.load(cfg.out(), base.config(),
                        cfg.modelOptions().device(), cfg.modelOptions().dtype());
                if (!l.adapter().spec().equals(cfg.spec())) {
                    l.adapter().close();
                    throw new IncompatibleCheckpointException(cfg.out(), cfg.out()
                            + " holds a checkpoint of another adapter spec (" + l.adapter().spec() + "); choose another --out");
                }
                String had = l.embedder() == null ? null : l.embedder().id();
                if (!java.util.Objects.equals(had, info.id())) {
                    l.adapter().close();
                    throw new IncompatibleCheckpointException(cfg.out(), cfg.out()
                            + " holds a checkpoint trained with embedder '" + had + "', not '" + info.id()
                            + "'; choose another --out");
                }
                adapter = l.adapter();
            } else {
                HyperSpec hyper = cfg.hyper() == null ? HyperSpec.defaults(embedder.dim())
                        : cfg.hyper().withEmbedDim(embedder.dim());
                adapter = new ZhyperAdapter(base.config(), cfg.spec(), hyper,
                        cfg.modelOptions().device(), cfg.modelOptions().dtype(), o.seed(),
                        ZhyperAdapter.baseWeightsOf(base));
                if (cfg.spec().method().usesHypernetwork() && hyper.centred()) {
                    adapter.calibrateConditions(embedder.embed(conditionsOf(descriptions, o)));
                }
            }
            List<Trainer.StepResult> history = new ArrayList<>();
            try (adapter; Trainer t = new Trainer(base, adapter, embedder, tok, Prompting.templateFor(base.config(), tok),
                    new TaskSampler(data, descriptions, o.seed()), o, cfg.lr())) {
                if (resume) {
                    AdapterCheckpoint.restoreOptimizer(cfg.out(), t.optimizer(), adapter.parameters().trainable());
                }
                double last = Double.NaN;
                while (!t.finished()) {
                    Trainer.StepResult r = t.step();
                    history.add(r);
                    last = r.loss();
                    progress.accept(r);
                    boolean due = cfg.checkpointEvery() > 0 && t.stepsDone() % cfg.checkpointEvery() == 0;
                    if (due || t.finished()) {
                        save(cfg, adapter, t, info, last);
                    }
                }
                if (history.isEmpty() && !resume) {
                    save(cfg, adapter, t, info, last);
                }
                return new Result(cfg.out(), t.stepsDone(), last, history);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e);
        }
    }

    /** What the hypernetwork is conditioned on in training: every training description, or the task names. */
    private static List<String> conditionsOf(Map<String, List<String>> descriptions, TrainOptions o) {
        if (o.conditionOnTaskName()) {
            return new ArrayList<>(new TreeSet<>(descriptions.keySet()));
        }
        return descriptions.values().stream().flatMap(List::stream).distinct().toList();
    }

    private static void save(Config cfg, ZhyperAdapter adapter, Trainer t, AdapterCheckpoint.EmbedderInfo info,
                             double loss) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode extra = json.createObjectNode();
        extra.set("train", json.valueToTree(t.options()));
        ObjectNode metrics = extra.putObject("metrics");
        if (!Double.isNaN(loss)) {
            metrics.put("loss", loss);
        }
        extra.put("base_model_path", cfg.modelDir().toAbsolutePath().toString());
        AdapterCheckpoint.save(cfg.out(), adapter, t.optimizer(), t.stepsDone(), info, extra, true);
    }
}
