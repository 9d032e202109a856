package dev.zhyper.core.adapter;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.zhyper.core.hyper.HyperNetwork;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.DecoderInput;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.core.nn.Init;
import dev.zhyper.core.nn.Parameter;
import dev.zhyper.core.nn.Tensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The z parametrisations: how Z(c) comes from h(c), how the factors start, and that training = serving. */
class ZParametrisationTest {
    @TempDir
    static Path tmp;
    static DecoderModel base;
    static final int EMBED = 12;
    static final int[] TOKENS = {5, 9, 3, 17, 22, 8, 30, 1};

    @BeforeAll
    static void setUp() {
        Path dir = RandomModels.writeLlama(tmp.resolve("tiny"), RandomModels.LlamaShape.tiny(40), null, 7);
        base = DecoderModel.load(dir, ModelOptions.cpuFloat32());
    }

    @AfterAll
    static void tearDown() { base.close(); }

    static ZhyperAdapter fresh(AdapterMethod method, ZParametrisation z) {
        return new ZhyperAdapter(base.config(), AdapterSpec.of(4, method).withZParam(z), HyperSpec.defaults(EMBED),
                Device.cpu(), DataType.FLOAT32, 3);
    }

    static float[] logits(ZhyperAdapter a, List<ContextModulation> rows) {
        try (NDManager m = base.manager().newSubManager()) {
            var delta = a == null ? null : a.forRows(m, rows);
            return base.forward(m, DecoderInput.single(TOKENS), null, delta, DecoderModel.ForwardOptions.FULL)
                    .toFloatArray();
        }
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

    static float[] headBias(ZhyperAdapter a, TargetModule t) {
        return a.parameters().get(HyperNetwork.headName(t) + ".bias").array().toFloatArray();
    }

    @ParameterizedTest
    @EnumSource(ZParametrisation.class)
    void everyParametrisationStartsAsTheBaseModel(ZParametrisation z) {
        for (AdapterMethod method : List.of(AdapterMethod.DIAG, AdapterMethod.SQUARE)) {
            try (ZhyperAdapter a = fresh(method, z)) {
                List<ContextModulation> rows = a.modulate(embeddings(1, 1));
                assertArrayEquals(logits(null, null), logits(a, rows), 0f, z + " " + method);
            }
        }
    }

    @Test
    void onePlusIsOnePlusTheHeadOutputAndHeadIsTheHeadOutput() {
        try (ZhyperAdapter head = fresh(AdapterMethod.DIAG, ZParametrisation.HEAD);
             ZhyperAdapter onePlus = fresh(AdapterMethod.DIAG, ZParametrisation.ONE_PLUS)) {
            float[] bias = headBias(head, TargetModule.Q_PROJ);
            assertArrayEquals(bias, headBias(onePlus, TargetModule.Q_PROJ), 0f, "same initialisation");
            float[] zHead = head.modulate(embeddings(1, 2)).get(0).site(0);      // layer 0, q_proj
            float[] zOne = onePlus.modulate(embeddings(1, 2)).get(0).site(0);
            for (int i = 0; i < bias.length; i++) {
                assertEquals(bias[i], zHead[i], 1e-6f);
                assertEquals(1 + bias[i], zOne[i], 1e-6f);
            }
            // B = 0 in both: the shared B starts at zero
            AdapterSite site = head.sites().get(0);
            assertEquals(0f, maxAbs(onePlus.sharedLora().b(site).toFloatArray()));
        }
    }

    @Test
    void squareOnePlusAddsTheIdentity() {
        try (ZhyperAdapter a = fresh(AdapterMethod.SQUARE, ZParametrisation.ONE_PLUS)) {
            float[] bias = headBias(a, TargetModule.Q_PROJ);
            float[] z = a.modulate(embeddings(1, 2)).get(0).site(0);
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    assertEquals(bias[i * 4 + j] + (i == j ? 1f : 0f), z[i * 4 + j], 1e-6f);
                }
            }
        }
    }

    @Test
    void zeroZStartsWithZEqualZeroAndARandomB() {
        try (ZhyperAdapter a = fresh(AdapterMethod.DIAG, ZParametrisation.ZERO_Z)) {
            assertTrue(a.modulate(embeddings(2, 4)).get(0).isZero());
            AdapterSite site = a.sites().get(0);
            float[] b = a.sharedLora().b(site).toFloatArray();
            float bound = (float) (1 / Math.sqrt(4));
            assertTrue(maxAbs(b) > 0 && maxAbs(b) <= bound, "B Kaiming-uniform with fan_in r: " + maxAbs(b));
        }
    }

    @ParameterizedTest
    @EnumSource(ZParametrisation.class)
    void trainingPathEqualsServingPath(ZParametrisation z) {
        for (AdapterMethod method : List.of(AdapterMethod.DIAG, AdapterMethod.SQUARE)) {
            try (ZhyperAdapter a = fresh(method, z)) {
                randomise(a);
                float[][] e = embeddings(1, 6);
                float[] served = logits(a, a.modulate(e));
                float[] trained;
                try (NDManager m = base.manager().newSubManager()) {
                    var emb = Tensors.create(m, e[0], new Shape(1, EMBED));
                    var fwd = a.forTraining(m, emb, false, 0.3);   // dropout given but not training: off
                    trained = base.forward(m, DecoderInput.single(TOKENS), null, fwd.delta(),
                            DecoderModel.ForwardOptions.FULL).toFloatArray();
                }
                assertArrayEquals(served, trained, 1e-5f, z + " " + method);
                assertFalse(Arrays.equals(served, logits(null, null)));
            }
        }
    }

    @Test
    void parametrisationIsValidatedAgainstMethodAndVariant() {
        assertThrows(IllegalArgumentException.class,
                () -> AdapterSpec.of(4, AdapterMethod.T2L).withZParam(ZParametrisation.ONE_PLUS));
        assertThrows(IllegalArgumentException.class,
                () -> AdapterSpec.of(4, AdapterMethod.MTL).withZParam(ZParametrisation.ZERO_Z));
        assertThrows(IllegalArgumentException.class, () -> AdapterSpec.of(4, AdapterMethod.SQUARE)
                .withVariant(LoraVariant.LORA_XS).withZParam(ZParametrisation.ZERO_Z));
        assertEquals(ZParametrisation.ONE_PLUS, ZParametrisation.parse("one-plus"));
        assertThrows(IllegalArgumentException.class, () -> ZParametrisation.parse("two-plus"));
    }

    static void randomise(ZhyperAdapter a) {
        SplittableRandom rng = new SplittableRandom(5);
        try (NDManager m = NDManager.newBaseManager()) {
            for (Parameter p : a.parameters().all()) {
                p.assign(Init.uniform(m, rng, 0.3, DataType.FLOAT32, p.array().getShape().getShape()));
            }
        }
    }

    static float maxAbs(float[] v) {
        float m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
