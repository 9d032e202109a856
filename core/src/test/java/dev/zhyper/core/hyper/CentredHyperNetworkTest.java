package dev.zhyper.core.hyper;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.checkpoint.AdapterCheckpoint;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.core.nn.Init;
import dev.zhyper.core.nn.Parameter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A centred hypernetwork computes H((c − μ) / s) with μ, s from its training embeddings, kept by its checkpoint. */
class CentredHyperNetworkTest {
    static final int EMBED = 12;
    @TempDir
    static Path tmp;
    static ModelConfig config;

    @BeforeAll
    static void setUp() {
        config = ModelConfig.load(RandomModels.writeLlama(tmp.resolve("tiny"), RandomModels.LlamaShape.tiny(40), null, 7));
    }

    static float[][] embeddings(int n, long seed, float offset) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] e = new float[n][EMBED];
        for (float[] row : e) {
            for (int i = 0; i < EMBED; i++) {
                row[i] = offset + (float) rng.nextGaussian();
            }
        }
        return e;
    }

    static ZhyperAdapter adapter(boolean centred) {
        return new ZhyperAdapter(config, AdapterSpec.of(4, AdapterMethod.DIAG),
                HyperSpec.defaults(EMBED).withCentred(centred), Device.cpu(), DataType.FLOAT32, 11);
    }

    static void randomise(ZhyperAdapter a) {
        SplittableRandom rng = new SplittableRandom(5);
        try (NDManager m = NDManager.newBaseManager()) {
            for (Parameter p : a.parameters().trainable()) {
                p.assign(Init.uniform(m, rng, 0.3, DataType.FLOAT32, p.array().getShape().getShape()));
            }
        }
    }

    @Test
    void centredNetworkEqualsThePlainOneOnCentredInputs() throws Exception {
        float[][] train = embeddings(50, 1, 3f); // a large common offset, as sentence embeddings have
        double[] mu = new double[EMBED];
        for (float[] e : train) for (int j = 0; j < EMBED; j++) mu[j] += e[j] / 50.0;
        double ss = 0;
        for (float[] e : train) for (int j = 0; j < EMBED; j++) ss += (e[j] - mu[j]) * (e[j] - mu[j]);
        double s = Math.sqrt(ss / 50 / EMBED);
        float[][] query = embeddings(3, 2, 3f);
        float[][] centredQuery = new float[3][EMBED];
        for (int i = 0; i < 3; i++) for (int j = 0; j < EMBED; j++) centredQuery[i][j] = (float) ((query[i][j] - mu[j]) / s);

        try (ZhyperAdapter plain = adapter(false); ZhyperAdapter centred = adapter(true)) {
            randomise(plain);
            randomise(centred);
            assertEquals(plain.parameters().trainableCount(), centred.parameters().trainableCount(),
                    "μ and s are frozen: no trainable parameters added");
            assertTrue(centred.calibrateConditions(train));
            List<ContextModulation> want = plain.modulate(centredQuery);
            List<ContextModulation> got = centred.modulate(query);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(want.get(i).values(), got.get(i).values(), 1e-4f);
            }
            assertFalse(java.util.Arrays.equals(plain.modulate(query).get(0).values(), got.get(0).values()),
                    "centring changes what the network sees");

            Path dir = tmp.resolve("ckpt");
            AdapterCheckpoint.save(dir, centred, null, 1, new AdapterCheckpoint.EmbedderInfo("test", EMBED, null),
                    null, true);
            try (ZhyperAdapter loaded = AdapterCheckpoint.load(dir, config, Device.cpu(), DataType.FLOAT32).adapter()) {
                assertTrue(loaded.hyperSpec().centred());
                List<ContextModulation> back = loaded.modulate(query);
                for (int i = 0; i < 3; i++) {
                    assertArrayEquals(got.get(i).values(), back.get(i).values(), 0f);
                }
            }
        }
    }

    @Test
    void withoutSpreadTheCentringStaysTheIdentity() {
        float[][] query = embeddings(2, 2, 3f);
        try (ZhyperAdapter plain = adapter(false); ZhyperAdapter centred = adapter(true)) {
            randomise(plain);
            randomise(centred);
            assertFalse(centred.calibrateConditions(embeddings(1, 1, 0f)), "one description: no spread");
            float[][] same = {embeddings(1, 3, 1f)[0], embeddings(1, 3, 1f)[0]};
            assertFalse(centred.calibrateConditions(same), "equal descriptions: no spread");
            assertArrayEquals(plain.modulate(query).get(1).values(), centred.modulate(query).get(1).values(), 1e-6f);
            assertFalse(plain.calibrateConditions(embeddings(5, 1, 0f)), "a spec without centring ignores it");
        }
    }
}
