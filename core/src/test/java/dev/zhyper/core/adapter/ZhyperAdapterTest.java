package dev.zhyper.core.adapter;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.DecoderInput;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.model.KvCache;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.core.nn.Init;
import dev.zhyper.core.nn.Parameter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The adapted projection y = Wx + s·B·Z(c)·A·x: its invariants on a tiny random Llama. */
class ZhyperAdapterTest {
    @TempDir
    static Path tmp;
    static Path modelDir;
    static DecoderModel base;
    static final int EMBED = 12;

    @BeforeAll
    static void setUp() {
        modelDir = RandomModels.writeLlama(tmp.resolve("tiny"), RandomModels.LlamaShape.tiny(40), null, 7);
        base = DecoderModel.load(modelDir, ModelOptions.cpuFloat32());
    }

    @AfterAll
    static void tearDown() { base.close(); }

    /** An adapter whose every parameter is random (B non-zero, z head non-zero), so nothing vanishes by init. */
    static ZhyperAdapter randomAdapter(AdapterMethod method, AdapterSpec spec) {
        ZhyperAdapter a = new ZhyperAdapter(base.config(), spec.withMethod(method), HyperSpec.defaults(EMBED),
                Device.cpu(), DataType.FLOAT32, 11);
        SplittableRandom rng = new SplittableRandom(5);
        try (NDManager m = NDManager.newBaseManager()) {
            for (Parameter p : a.parameters().all()) {
                p.assign(Init.uniform(m, rng, 0.3, DataType.FLOAT32, p.array().getShape().getShape()));
            }
        }
        return a;
    }

    static float[][] embeddings(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] e = new float[n][EMBED];
        for (float[] row : e) {
            for (int i = 0; i < EMBED; i++) {
                row[i] = (float) rng.nextGaussian();
            }
        }
        return e;
    }

    static float[] logits(DecoderModel model, ZhyperAdapter adapter, List<ContextModulation> rows, int[] tokens) {
        try (NDManager m = model.manager().newSubManager()) {
            var delta = adapter == null ? null : adapter.forRows(m, rows);
            return model.forward(m, DecoderInput.single(tokens), null, delta, DecoderModel.ForwardOptions.FULL)
                    .toFloatArray();
        }
    }

    static final int[] TOKENS = {5, 9, 3, 17, 22, 8, 30, 1};

    @ParameterizedTest
    @EnumSource(value = AdapterMethod.class, names = {"DIAG", "SQUARE"})
    void zeroModulationGivesExactlyTheBaseModel(AdapterMethod method) {
        try (ZhyperAdapter a = randomAdapter(method, AdapterSpec.of(4, method))) {
            ContextModulation zero = ContextModulation.zeros(method, a.sites(), a.widths());
            float[] adapted = logits(base, a, List.of(zero), TOKENS);
            float[] plain = logits(base, null, null, TOKENS);
            assertArrayEquals(plain, adapted, 0f);
            // and a non-zero z really changes the output
            float[] steered = logits(base, a, a.modulate(embeddings(1, 3)), TOKENS);
            assertFalse(java.util.Arrays.equals(plain, steered));
        }
    }

    @Test
    void freshAdapterEqualsBaseModelBecauseBIsZero() {
        try (ZhyperAdapter a = new ZhyperAdapter(base.config(), AdapterSpec.of(4, AdapterMethod.DIAG),
                HyperSpec.defaults(EMBED), Device.cpu(), DataType.FLOAT32, 1)) {
            List<ContextModulation> z = a.modulate(embeddings(2, 1));
            // zero-initialised head weight: z is the head bias, the same for every context
            assertArrayEquals(z.get(0).values(), z.get(1).values(), 0f);
            assertFalse(z.get(0).isZero());
            assertArrayEquals(logits(base, null, null, TOKENS), logits(base, a, z.subList(0, 1), TOKENS), 0f);
        }
    }

    @ParameterizedTest
    @EnumSource(AdapterMethod.class)
    void mergedWeightsEqualTheOnTheFlyPath(AdapterMethod method) {
        AdapterSpec spec = AdapterSpec.of(4, method)
                .withTargets(List.of(TargetModule.Q_PROJ, TargetModule.V_PROJ, TargetModule.DOWN_PROJ))
                .withLayers(LayerSelection.parse("0:2"));
        try (ZhyperAdapter a = randomAdapter(method, spec);
             DecoderModel merged = DecoderModel.load(modelDir, ModelOptions.cpuFloat32());
             NDManager m = NDManager.newBaseManager()) {
            ContextModulation c = a.modulate(embeddings(1, 9)).get(0);
            for (AdapterSite site : a.sites()) {
                merged.mergeIntoWeight(site.layer(), site.module(), a.deltaWeight(m, c, site));
            }
            float[] onTheFly = logits(base, a, List.of(c), TOKENS);
            float[] mergedLogits = logits(merged, null, null, TOKENS);
            assertArrayEquals(onTheFly, mergedLogits, 2e-4f);
            assertFalse(java.util.Arrays.equals(onTheFly, logits(base, null, null, TOKENS)));
        }
    }

    @ParameterizedTest
    @EnumSource(AdapterMethod.class)
    void eachRowOfAMixedBatchEqualsItsSingleRequest(AdapterMethod method) {
        try (ZhyperAdapter a = randomAdapter(method, AdapterSpec.of(4, method))) {
            int[][] prompts = {{5, 9, 3, 17, 22}, {8, 30}, {1, 2, 3, 4, 5, 6, 7, 8, 9}, {33, 12, 7}};
            List<ContextModulation> ctx = a.modulate(embeddings(prompts.length, 21));
            DecoderInput batch = DecoderInput.leftPadded(prompts, 0);
            float[] all;
            int vocab = base.config().vocabSize();
            try (NDManager m = base.manager().newSubManager()) {
                all = base.forward(m, batch, null, a.forRows(m, ctx), DecoderModel.ForwardOptions.LAST).toFloatArray();
            }
            for (int i = 0; i < prompts.length; i++) {
                float[] single = logits(base, a, List.of(ctx.get(i)), prompts[i]);
                float[] lastSingle = java.util.Arrays.copyOfRange(single, single.length - vocab, single.length);
                float[] row = java.util.Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab);
                assertArrayEquals(lastSingle, row, 2e-5f, "row " + i);
            }
        }
    }

    @Test
    void kvCacheDecodingEqualsFullForward() {
        try (ZhyperAdapter a = randomAdapter(AdapterMethod.DIAG, AdapterSpec.of(4, AdapterMethod.DIAG))) {
            int[][] prompts = {{5, 9, 3}, {8, 30, 4, 4, 19}};
            int[][] continuation = {{7, 11, 2, 6}, {13, 14, 15, 16}};
            List<ContextModulation> ctx = a.modulate(embeddings(2, 4));
            int vocab = base.config().vocabSize();
            List<float[]> stepLogits = new ArrayList<>();
            try (NDManager m = base.manager().newSubManager(); KvCache cache = new KvCache(m, base.config().numLayers())) {
                var delta = a.forRows(m, ctx);
                DecoderInput first = DecoderInput.leftPadded(prompts, 0);
                base.forward(m, first, cache, delta, DecoderModel.ForwardOptions.LAST).close();
                boolean[][] valid = first.keyValid();
                int[] nextPos = {3, 5};
                for (int s = 0; s < 4; s++) {
                    boolean[][] v = new boolean[2][valid[0].length + 1];
                    for (int i = 0; i < 2; i++) {
                        System.arraycopy(valid[i], 0, v[i], 0, valid[i].length);
                        v[i][valid[i].length] = true;
                    }
                    valid = v;
                    DecoderInput step = new DecoderInput(new int[][] {{continuation[0][s]}, {continuation[1][s]}},
                            new int[][] {{nextPos[0]++}, {nextPos[1]++}}, valid);
                    stepLogits.add(base.forward(m, step, cache, delta, DecoderModel.ForwardOptions.LAST).toFloatArray());
                }
            }
            for (int i = 0; i < 2; i++) {
                int[] full = new int[prompts[i].length + 4];
                System.arraycopy(prompts[i], 0, full, 0, prompts[i].length);
                System.arraycopy(continuation[i], 0, full, prompts[i].length, 4);
                float[] ref = logits(base, a, List.of(ctx.get(i)), full);
                for (int s = 0; s < 4; s++) {
                    int pos = prompts[i].length + s;
                    float[] expect = java.util.Arrays.copyOfRange(ref, pos * vocab, (pos + 1) * vocab);
                    float[] got = java.util.Arrays.copyOfRange(stepLogits.get(s), i * vocab, (i + 1) * vocab);
                    assertArrayEquals(expect, got, 2e-5f, "row " + i + " step " + s);
                }
            }
        }
    }

    @Test
    void allocatedParametersMatchTheAnalyticCounts() {
        for (AdapterMethod method : AdapterMethod.values()) {
            AdapterSpec spec = AdapterSpec.of(4, method).withLayers(LayerSelection.parse("0:2:2"));
            try (ZhyperAdapter a = new ZhyperAdapter(base.config(), spec, HyperSpec.defaults(EMBED), Device.cpu(),
                    DataType.FLOAT32, 1)) {
                assertEquals(ParameterCounts.total(base.config(), spec, HyperSpec.defaults(EMBED)),
                        a.parameters().trainableCount(), method.id());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = LoraVariant.class, names = {"VERA", "LORA_XS"})
    void variantsStartAtTheBaseModelAndMergeExactly(LoraVariant variant) {
        for (AdapterMethod method : List.of(AdapterMethod.DIAG, AdapterMethod.SQUARE)) {
            AdapterSpec spec = AdapterSpec.of(4, method).withVariant(variant);
            try (ZhyperAdapter fresh = new ZhyperAdapter(base.config(), spec, HyperSpec.defaults(EMBED), Device.cpu(),
                    DataType.FLOAT32, 2, ZhyperAdapter.baseWeightsOf(base))) {
                assertArrayEquals(logits(base, null, null, TOKENS),
                        logits(base, fresh, fresh.modulate(embeddings(1, 1)), TOKENS), 0f);
                assertEquals(ParameterCounts.total(base.config(), spec, HyperSpec.defaults(EMBED)),
                        fresh.parameters().trainableCount());
                // A and B are frozen for both variants
                assertTrue(fresh.parameters().all().stream().filter(p -> p.name().endsWith(".A"))
                        .noneMatch(Parameter::trainable));
            }
            try (ZhyperAdapter a = randomAdapter(method, spec);
                 DecoderModel merged = DecoderModel.load(modelDir, ModelOptions.cpuFloat32());
                 NDManager m = NDManager.newBaseManager()) {
                ContextModulation c = a.modulate(embeddings(1, 9)).get(0);
                for (AdapterSite site : a.sites()) {
                    merged.mergeIntoWeight(site.layer(), site.module(), a.deltaWeight(m, c, site));
                }
                assertArrayEquals(logits(base, a, List.of(c), TOKENS), logits(merged, null, null, TOKENS), 2e-4f);
            }
        }
    }

    @Test
    void loraXsFactorsAreTheTruncatedSvdOfTheBaseWeight() {
        int dOut = 6;
        int dIn = 5;
        SplittableRandom rng = new SplittableRandom(3);
        float[] w = new float[dOut * dIn];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian();
        }
        float[][] full = TruncatedSvd.factors(w, dOut, dIn, 5, 1);   // full rank: B·A reproduces W
        for (int o = 0; o < dOut; o++) {
            for (int i = 0; i < dIn; i++) {
                double s = 0;
                for (int k = 0; k < 5; k++) {
                    s += full[1][o * 5 + k] * full[0][k * dIn + i];
                }
                assertEquals(w[o * dIn + i], s, 1e-4);
            }
        }
        // rank 2: rows of A orthonormal and the residual is orthogonal to them
        float[][] low = TruncatedSvd.factors(w, dOut, dIn, 2, 1);
        for (int k = 0; k < 2; k++) {
            for (int j = 0; j < 2; j++) {
                double dot = 0;
                for (int i = 0; i < dIn; i++) {
                    dot += low[0][k * dIn + i] * low[0][j * dIn + i];
                }
                assertEquals(k == j ? 1.0 : 0.0, dot, 1e-5);
            }
        }
    }

    @Test
    void baseWeightsAreUntouchedByAdapters() {
        NDArray w = base.projectionWeight(0, TargetModule.Q_PROJ);
        assertTrue(w.getShape().get(0) > 0);
        assertFalse(base.parameters().all().stream().anyMatch(Parameter::trainable));
    }
}
