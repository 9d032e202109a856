package dev.zhyper.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.engine.Engine;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.ZParametrisation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.embed.OneHotEmbedder;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.nn.Init;
import dev.zhyper.core.nn.Parameter;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.core.text.ChatTemplate;
import dev.zhyper.core.text.TextTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recipe options: per-group learning rate and weight decay, LoRA dropout, the L2 penalty on generated factors,
 * the condition noise.
 */
class RecipeTest {

    @TempDir
    static Path tmp;
    static Path modelDir;
    static TextTokenizer tokenizer;

    @BeforeAll
    static void setUp() {
        modelDir = RandomModels.writeLlama(tmp.resolve("tiny"), RandomModels.LlamaShape.tiny(0),
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ :\n", 3);
        tokenizer = TextTokenizer.load(modelDir);
    }

    @AfterAll
    static void tearDown() { tokenizer.close(); }

    static Trainer trainer(DecoderModel base, ZhyperAdapter a, TrainOptions o) {
        return new Trainer(base, a, new OneHotEmbedder(TrainerTest.LABELS), tokenizer, ChatTemplate.PLAIN,
                new TaskSampler(TrainerTest.DATA, TrainerTest.DESCRIPTIONS, o.seed()), o);
    }

    static ZhyperAdapter adapter(DecoderModel base, AdapterSpec spec, HyperSpec hyper, DataType dtype, boolean random) {
        ZhyperAdapter a = new ZhyperAdapter(base.config(), spec, hyper, Device.cpu(), dtype, 4);
        if (random) {
            SplittableRandom rng = new SplittableRandom(2);
            try (NDManager m = NDManager.newBaseManager()) {
                for (Parameter p : a.parameters().all()) {
                    p.assign(Init.uniform(m, rng, 0.4, dtype, p.array().getShape().getShape()));
                }
            }
        }
        return a;
    }

    static HyperSpec hyper(double dropout) {
        HyperSpec d = HyperSpec.defaults(TrainerTest.LABELS.size());
        return new HyperSpec(d.embedDim(), d.taskDim(), d.layerDim(), d.typeDim(), 64, 1, 64, dropout);
    }

    static Map<String, float[]> snapshot(ZhyperAdapter a) {
        Map<String, float[]> s = new HashMap<>();
        for (Parameter p : a.parameters().trainable()) {
            s.put(p.name(), p.array().toFloatArray());
        }
        return s;
    }

    /** Largest |Δ| of the first Adam step over the parameters of one group (Adam's first step is ±lr). */
    static double maxUpdate(ZhyperAdapter a, Map<String, float[]> before, boolean shared) {
        double max = 0;
        for (Parameter p : a.parameters().trainable()) {
            if (p.name().startsWith("lora.") != shared) {
                continue;
            }
            float[] now = p.array().toFloatArray();
            float[] was = before.get(p.name());
            for (int i = 0; i < now.length; i++) {
                max = Math.max(max, Math.abs(now[i] - was[i]));
            }
        }
        return max;
    }

    @Test
    void sharedFactorsMoveAtTheirGroupsLearningRate() {
        double lr = 1e-3;
        for (double ratio : new double[] {1, 8}) {
            TrainOptions o = TrainOptions.defaults(10).withBatch(2).withLr(lr).withWarmup(0)
                    .withRegularisation(0, 0f, 0).withRecipe(Recipe.DEFAULT.withSharedLrRatio(ratio));
            try (DecoderModel base = DecoderModel.load(modelDir, ModelOptions.cpuFloat32());
                 ZhyperAdapter a = adapter(base, AdapterSpec.of(2, AdapterMethod.DIAG), hyper(0), DataType.FLOAT32, true);
                 Trainer t = trainer(base, a, o)) {
                Map<String, float[]> before = snapshot(a);
                Trainer.StepResult r = t.step();
                assertEquals(lr, r.lr(), 1e-12, "warm-up 0: the first step runs at the peak lr");
                double shared = maxUpdate(a, before, true);
                double hyperNet = maxUpdate(a, before, false);
                assertEquals(lr, hyperNet, lr * 1e-3, "hypernetwork group at lr");
                assertEquals(lr * ratio, shared, lr * ratio * 1e-3, "shared group at lr × " + ratio);
            }
        }
    }

    @Test
    void sharedWeightDecayAppliesOnlyToTheSharedGroup() {
        TrainOptions o = TrainOptions.defaults(10).withBatch(2).withLr(1e-3).withRegularisation(0, 0f, 0.5)
                .withRecipe(Recipe.DEFAULT.withSharedWeightDecay(0.0).withSharedLrRatio(4));
        List<AdamW.Group> g = o.parameterGroups(true);
        try (NDManager m = NDManager.newBaseManager()) {
            AdamW opt = new AdamW(m, List.of(), g);
            assertEquals(0.0, opt.group("lora.0.q_proj.A").weightDecay());
            assertEquals(4.0, opt.group("lora.0.q_proj.B").lrScale());
            assertEquals(0.5, opt.group("hyper.mixer.0.weight").weightDecay());
            assertEquals(1.0, opt.group("hyper.head.q_proj.weight").lrScale());
        }
        assertEquals(0.5, TrainOptions.defaults(1).withRegularisation(0, 0f, 0.5).parameterGroups(true).get(0).weightDecay(),
                "without --weight-decay-shared the shared group decays as the hypernetwork");
        // without a hypernetwork (MTL, prepend) the ratio has nothing to be relative to: one group at lr
        List<AdamW.Group> mtl = o.parameterGroups(false);
        assertEquals(1, mtl.size());
        assertEquals(1.0, mtl.get(0).lrScale());
        assertEquals(0.5, mtl.get(0).weightDecay());
    }

    private static double lossOf(Trainer t, List<TaskSampler.Sample> batch, boolean training, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        Trainer.LossAndGrads lg = t.lossAndGradients(batch, training);
        lg.grads().values().forEach(NDArray::close);
        return lg.loss();
    }

    @Test
    void loraDropoutActsInTrainingOnly() {
        assertActsInTrainingOnly(Recipe.DEFAULT.withLoraDropout(0.5), "LoRA dropout 0.5");
    }

    @Test
    void conditionNoiseActsInTrainingOnly() {
        assertActsInTrainingOnly(Recipe.DEFAULT.withConditionNoise(0.5), "condition noise σ 0.5");
        assertThrows(IllegalArgumentException.class, () -> Recipe.DEFAULT.withConditionNoise(-0.1));
    }

    /**
     * {@code on} changes the training pass (seeded, reproducibly) and not the evaluation pass, against the default
     * recipe, with which a training pass equals an evaluation pass.
     */
    private static void assertActsInTrainingOnly(Recipe on, String what) {
        List<TaskSampler.Sample> batch = new TaskSampler(TrainerTest.DATA, TrainerTest.DESCRIPTIONS, 5).batch(0, 2);
        Recipe[] recipes = {Recipe.DEFAULT, on};
        double[] evalLoss = new double[2];
        double[] trainLoss = new double[2];
        for (int k = 0; k < 2; k++) {
            // no hypernetwork dropout and no NEFTune: the option is the only randomness of a training pass
            TrainOptions o = TrainOptions.defaults(10).withBatch(2).withRegularisation(0, 0f, 0.1)
                    .withRecipe(recipes[k]);
            try (DecoderModel base = DecoderModel.load(modelDir, ModelOptions.cpuFloat32());
                 ZhyperAdapter a = adapter(base, AdapterSpec.of(2, AdapterMethod.DIAG), hyper(0), DataType.FLOAT32, true);
                 Trainer t = trainer(base, a, o)) {
                evalLoss[k] = lossOf(t, batch, false, 7);
                trainLoss[k] = lossOf(t, batch, true, 7);
                assertEquals(trainLoss[k], lossOf(t, batch, true, 7), 1e-6, what + ", seeded: reproducible");
            }
        }
        assertEquals(evalLoss[0], evalLoss[1], 0.0, what + ": off at evaluation");
        assertEquals(evalLoss[0], trainLoss[0], 1e-6, "without it a training pass = an evaluation pass");
        assertNotEquals(trainLoss[0], trainLoss[1], what + " changes the training pass");
    }

    /** λ · mean over contexts and sites of ‖h‖², h the generated numbers (z, or z − 1 for one-plus). */
    @ParameterizedTest
    @EnumSource(ZParametrisation.class)
    void factorPenaltyAddsLambdaTimesTheMeanSquaredNormOfTheGeneratedFactors(ZParametrisation zp) {
        List<TaskSampler.Sample> batch = new TaskSampler(TrainerTest.DATA, TrainerTest.DESCRIPTIONS, 5).batch(0, 2);
        double lambda = 0.25;
        try (DecoderModel base = DecoderModel.load(modelDir, ModelOptions.cpuFloat32());
             ZhyperAdapter a = adapter(base, AdapterSpec.of(2, AdapterMethod.DIAG).withZParam(zp), hyper(0),
                     DataType.FLOAT32, true)) {
            TrainOptions plain = TrainOptions.defaults(10).withBatch(2);
            double without;
            double with;
            try (Trainer t = trainer(base, a, plain)) {
                without = lossOf(t, batch, false, 1);
            }
            try (Trainer t = trainer(base, a, plain.withRecipe(Recipe.DEFAULT.withFactorL2(lambda)))) {
                with = lossOf(t, batch, false, 1);
            }
            // the generated numbers of the batch's two conditions, through the serving path
            OneHotEmbedder emb = new OneHotEmbedder(TrainerTest.LABELS);
            List<ContextModulation> z = a.modulate(emb.embed(batch.stream().map(TaskSampler.Sample::description).toList()));
            double sum = 0;
            for (ContextModulation c : z) {
                for (float v : c.values()) {
                    double h = zp == ZParametrisation.ONE_PLUS ? v - 1 : v;
                    sum += h * h;
                }
            }
            double expected = lambda * sum / (z.size() * a.sites().size());
            assertTrue(expected > 1e-3, "the penalty is not negligible here: " + expected);
            assertEquals(expected, with - without, 1e-4 * expected + 1e-6);
        }
    }

    @ParameterizedTest
    @EnumSource(value = AdapterMethod.class, names = {"DIAG", "T2L"})
    void factorPenaltyGradientMatchesFiniteDifferences(AdapterMethod method) {
        List<TaskSampler.Sample> batch = new TaskSampler(TrainerTest.DATA, TrainerTest.DESCRIPTIONS, 5).batch(0, 2);
        try (DecoderModel base = DecoderModel.load(modelDir, new ModelOptions(Device.cpu(), DataType.FLOAT64));
             ZhyperAdapter a = adapter(base, AdapterSpec.of(2, method), hyper(0), DataType.FLOAT64, true);
             Trainer t = trainer(base, a,
                     TrainOptions.defaults(10).withBatch(2).withRecipe(Recipe.DEFAULT.withFactorL2(2.0)))) {
            Trainer.LossAndGrads lg = t.lossAndGradients(batch, false);
            int checked = 0;
            for (Parameter p : a.parameters().trainable()) {
                if (!p.name().contains("head") && !p.name().contains("mlp3.1")) {
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
                    double plus = lossOf(t, batch, false, 1);
                    w[i] = orig - h;
                    p.array().set(w);
                    double minus = lossOf(t, batch, false, 1);
                    w[i] = orig;
                    p.array().set(w);
                    double numeric = (plus - minus) / (2 * h);
                    assertEquals(numeric, analytic[i], 1e-6 + 1e-4 * Math.abs(numeric), p.name() + "[" + i + "]");
                    checked++;
                }
            }
            lg.grads().values().forEach(NDArray::close);
            assertTrue(checked >= 6, "checked " + checked);
        }
    }

    @Test
    void recipeValuesAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> Recipe.DEFAULT.withSharedLrRatio(0));
        assertThrows(IllegalArgumentException.class, () -> Recipe.DEFAULT.withLoraDropout(1));
        assertThrows(IllegalArgumentException.class, () -> Recipe.DEFAULT.withFactorL2(-1));
        assertThrows(IllegalArgumentException.class, () -> Recipe.DEFAULT.withSharedWeightDecay(-0.1));
    }
}
