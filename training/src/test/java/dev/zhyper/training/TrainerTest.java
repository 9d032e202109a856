package dev.zhyper.training;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.checkpoint.AdapterCheckpoint;
import dev.zhyper.core.data.TrainingExample;
import dev.zhyper.core.embed.OneHotEmbedder;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.DecoderInput;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.core.nn.Init;
import dev.zhyper.core.nn.Parameter;
import dev.zhyper.core.text.ChatTemplate;
import dev.zhyper.core.text.TextTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    @TempDir
    static Path tmp;
    static Path modelDir;
    static TextTokenizer tokenizer;

    static final List<TrainingExample> DATA = List.of(
            new TrainingExample("upper", "abc", "ABC"), new TrainingExample("upper", "dog", "DOG"),
            new TrainingExample("upper", "cat", "CAT"), new TrainingExample("upper", "sun", "SUN"),
            new TrainingExample("reverse", "abc", "cba"), new TrainingExample("reverse", "dog", "god"),
            new TrainingExample("reverse", "cat", "tac"), new TrainingExample("reverse", "sun", "nus"));
    static final Map<String, List<String>> DESCRIPTIONS = Map.of(
            "upper", List.of("make it upper case", "capitalise every letter"),
            "reverse", List.of("reverse the word", "write it backwards"));
    static final List<String> LABELS = List.of("make it upper case", "capitalise every letter", "reverse the word",
            "write it backwards", "upper", "reverse");

    @BeforeAll
    static void setUp() {
        modelDir = RandomModels.writeLlama(tmp.resolve("tiny"), RandomModels.LlamaShape.tiny(0),
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ :\n", 3);
        tokenizer = TextTokenizer.load(modelDir);
    }

    @AfterAll
    static void tearDown() { tokenizer.close(); }

    static Trainer trainer(DecoderModel base, ZhyperAdapter a, TrainOptions o) {
        return new Trainer(base, a, new OneHotEmbedder(LABELS), tokenizer, ChatTemplate.PLAIN,
                new TaskSampler(DATA, DESCRIPTIONS, o.seed()), o);
    }

    static ZhyperAdapter adapter(DecoderModel base, AdapterMethod method, DataType dtype, long seed) {
        return new ZhyperAdapter(base.config(), AdapterSpec.of(2, method), HyperSpec.defaults(LABELS.size()),
                Device.cpu(), dtype, seed);
    }

    @ParameterizedTest
    @EnumSource(AdapterMethod.class)
    void gradientsMatchFiniteDifferences(AdapterMethod method) {
        try (DecoderModel base = DecoderModel.load(modelDir, new ModelOptions(Device.cpu(), DataType.FLOAT64));
             ZhyperAdapter a = adapter(base, method, DataType.FLOAT64, 1)) {
            SplittableRandom rng = new SplittableRandom(2);
            try (NDManager m = NDManager.newBaseManager()) {
                for (Parameter p : a.parameters().all()) {   // random everywhere, so no gradient vanishes by init
                    p.assign(Init.uniform(m, rng, 0.4, DataType.FLOAT64, p.array().getShape().getShape()));
                }
            }
            TrainOptions o = TrainOptions.defaults(10).withBatch(2);
            try (Trainer t = trainer(base, a, o)) {
                List<TaskSampler.Sample> batch = new TaskSampler(DATA, DESCRIPTIONS, 5).batch(0, 2);
                Trainer.LossAndGrads lg = t.lossAndGradients(batch, false);
                int checked = 0;
                for (Parameter p : a.parameters().trainable()) {
                    boolean interesting = p.name().startsWith("lora.0") || p.name().contains("head")
                            || p.name().contains("hyper.task.weight") || p.name().contains("mixer.0.weight");
                    if (!interesting) {
                        continue;
                    }
                    double[] analytic = lg.grads().get(p.name()).toDoubleArray();
                    double[] w = p.array().toDoubleArray();
                    for (int k = 0; k < 3; k++) {
                        int i = (int) ((k * 7919L + p.name().hashCode() & 0x7fffffff) % w.length);
                        double h = 1e-6;
                        double orig = w[i];
                        w[i] = orig + h;
                        p.array().set(w);
                        double plus = loss(t, batch);
                        w[i] = orig - h;
                        p.array().set(w);
                        double minus = loss(t, batch);
                        w[i] = orig;
                        p.array().set(w);
                        double numeric = (plus - minus) / (2 * h);
                        assertEquals(numeric, analytic[i], 1e-6 + 1e-4 * Math.abs(numeric),
                                method + " " + p.name() + "[" + i + "]");
                        checked++;
                    }
                }
                lg.grads().values().forEach(NDArray::close);
                assertTrue(checked >= 6, "checked " + checked);
            }
        }
    }

    private static double loss(Trainer t, List<TaskSampler.Sample> batch) {
        Trainer.LossAndGrads lg = t.lossAndGradients(batch, false);
        lg.grads().values().forEach(NDArray::close);
        return lg.loss();
    }

    @Test
    void checkpointRoundTripGivesIdenticalLogitsAndIdenticalNextStep() throws Exception {
        TrainOptions o = TrainOptions.defaults(6).withBatch(2).withLr(1e-2).withSeed(9);
        Path ckpt = tmp.resolve("ckpt-resume");
        AdapterCheckpoint.EmbedderInfo emb = new AdapterCheckpoint.EmbedderInfo("one-hot", LABELS.size(), LABELS);
        float[] afterThird;
        float[] logitsAtSave;
        try (DecoderModel base = DecoderModel.load(modelDir, ModelOptions.cpuFloat32());
             ZhyperAdapter a = adapter(base, AdapterMethod.DIAG, DataType.FLOAT32, 4);
             Trainer t = trainer(base, a, o)) {
            t.step();
            t.step();
            AdapterCheckpoint.save(ckpt, a, t.optimizer(), t.stepsDone(), emb, null, false);
            logitsAtSave = logits(base, a);
            t.step();
            afterThird = flat(a);
        }
        try (DecoderModel base = DecoderModel.load(modelDir, ModelOptions.cpuFloat32())) {
            AdapterCheckpoint.Loaded loaded = AdapterCheckpoint.load(ckpt, base.config(), Device.cpu(), DataType.FLOAT32);
            try (ZhyperAdapter a = loaded.adapter(); Trainer t = trainer(base, a, o)) {
                assertEquals(2, loaded.step());
                assertArrayEquals(logitsAtSave, logits(base, a), 0f);
                AdapterCheckpoint.restoreOptimizer(ckpt, t.optimizer(), a.parameters().trainable());
                assertEquals(2, t.stepsDone());
                t.step();
                assertArrayEquals(afterThird, flat(a), 0f);
            }
        }
    }

    private static float[] logits(DecoderModel base, ZhyperAdapter a) {
        List<ContextModulation> z = a.modulate(new OneHotEmbedder(LABELS).embed(List.of("reverse the word")));
        try (NDManager m = base.manager().newSubManager()) {
            return base.forward(m, DecoderInput.single(tokenizer.encode("dog\n", false)), null, a.forRows(m, z),
                    DecoderModel.ForwardOptions.FULL).toFloatArray();
        }
    }

    private static float[] flat(ZhyperAdapter a) {
        return a.parameters().all().stream().map(p -> p.array().toFloatArray())
                .reduce(new float[0], (x, y) -> {
                    float[] r = java.util.Arrays.copyOf(x, x.length + y.length);
                    System.arraycopy(y, 0, r, x.length, y.length);
                    return r;
                });
    }

    @Test
    void trainingStepsLeaveNoNativeArraysBehind() throws Exception {
        TrainOptions o = TrainOptions.defaults(40).withBatch(2).withLr(1e-3);
        try (DecoderModel base = DecoderModel.load(modelDir, ModelOptions.cpuFloat32());
             ZhyperAdapter a = adapter(base, AdapterMethod.SQUARE, DataType.FLOAT32, 4);
             Trainer t = trainer(base, a, o)) {
            t.step();
            long adapterArrays = managed(a.manager());
            long baseArrays = managed(base.manager());
            for (int i = 0; i < 30; i++) {
                t.step();
            }
            assertEquals(adapterArrays, managed(a.manager()), "arrays in the adapter's manager tree");
            assertEquals(baseArrays, managed(base.manager()), "arrays in the base model's manager tree");
        }
    }

    /**
     * The same seed gives bit-identical losses whether or not the garbage collector runs (and freed native memory
     * is reused) during the steps: nothing autograd keeps for the backward pass lives in GC-owned memory.
     */
    @ParameterizedTest
    @EnumSource(AdapterMethod.class)
    void trainingDoesNotDependOnGarbageCollection(AdapterMethod method) throws Exception {
        double[] calm = losses(method, false);
        double[] stressed = losses(method, true);
        assertArrayEquals(calm, stressed, method + " losses with and without GC pressure");
    }

    private static double[] losses(AdapterMethod method, boolean gcPressure) throws Exception {
        TrainOptions o = TrainOptions.defaults(6).withBatch(2).withLr(1e-2).withSeed(3);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread churn = new Thread(() -> {
            while (!stop.get()) {
                System.gc();
                List<java.nio.ByteBuffer> fill = new java.util.ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(8 + (i % 8) * 8);
                    while (b.hasRemaining()) {
                        b.put((byte) 0x7f);
                    }
                    fill.add(b);
                }
            }
        });
        try (DecoderModel base = DecoderModel.load(modelDir, ModelOptions.cpuFloat32());
             ZhyperAdapter a = adapter(base, method, DataType.FLOAT32, 4);
             Trainer t = trainer(base, a, o)) {
            if (gcPressure) {
                churn.start();
            }
            double[] out = new double[o.steps()];
            for (int i = 0; i < out.length; i++) {
                out[i] = t.step().loss();
            }
            return out;
        } finally {
            stop.set(true);
            if (gcPressure) {
                churn.join();
            }
        }
    }

    /** Number of live arrays in a manager and its sub-managers. */
    static long managed(NDManager m) throws Exception {
        Field f = BaseNDManager.class.getDeclaredField("resources");
        f.setAccessible(true);
        long n = 0;
        for (Object r : ((Map<?, ?>) f.get(m)).values()) {
            n += r instanceof NDManager sub ? 1 + managed(sub) : 1;
        }
        return n;
    }

    @Test
    void theHypernetworkLearnsToSteerByDescription() {
        // Same inputs, two tasks: only the description tells upper-casing from reversing.
        TrainOptions o = TrainOptions.defaults(150).withBatch(4).withLr(3e-3).withRegularisation(0.0, 0f, 0.0);
        try (DecoderModel base = DecoderModel.load(modelDir, ModelOptions.cpuFloat32());
             ZhyperAdapter a = new ZhyperAdapter(base.config(), AdapterSpec.of(4, AdapterMethod.DIAG),
                     HyperSpec.defaults(LABELS.size()), Device.cpu(), DataType.FLOAT32, 8);
             Trainer t = trainer(base, a, o)) {
            double first = t.step().loss();
            double last = 0;
            while (!t.finished()) {
                last = t.step().loss();
            }
            assertTrue(last < first * 0.3, "loss went from " + first + " to " + last);
        }
    }
}
