package dev.zhyper.core.generate;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.core.nn.Init;
import dev.zhyper.core.nn.Parameter;
import dev.zhyper.core.text.TextTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchDecoderTest {
    static Path tmp;
    static DecoderModel base;
    static TextTokenizer tok;
    static ZhyperAdapter adapter;
    static BatchDecoder gen;

    @BeforeAll
    static void setUp() {
        setUpOnce();
    }

    /** Loads the shared tiny model once (also for DecodeSessionTest). */
    static synchronized void setUpOnce() {
        if (gen != null) {
            return;
        }
        try {
            tmp = java.nio.file.Files.createTempDirectory("zhyper-generator-test");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Path dir = RandomModels.writeLlama(tmp.resolve("m"), RandomModels.LlamaShape.tiny(0),
                "abcdefghijklmnopqrstuvwxyz .", 5);
        base = DecoderModel.load(dir, ModelOptions.cpuFloat32());
        tok = TextTokenizer.load(dir);
        adapter = new ZhyperAdapter(base.config(), AdapterSpec.of(4, AdapterMethod.DIAG), HyperSpec.defaults(8),
                Device.cpu(), DataType.FLOAT32, 3);
        SplittableRandom rng = new SplittableRandom(1);
        try (NDManager m = NDManager.newBaseManager()) {
            for (Parameter p : adapter.parameters().all()) {
                p.assign(Init.uniform(m, rng, 0.5, DataType.FLOAT32, p.array().getShape().getShape()));
            }
        }
        gen = new BatchDecoder(base, adapter, tok);
    }

    @AfterAll
    static void tearDown() {
        // the model is shared with DecodeSessionTest and freed with the test JVM
    }

    static ContextModulation ctx(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] e = new float[8];
        for (int i = 0; i < 8; i++) {
            e[i] = (float) r.nextGaussian();
        }
        return adapter.modulate(new float[][] {e}).get(0);
    }

    static GenerationRequest req(String prompt, ContextModulation c, SamplingParams s, int max) {
        return new GenerationRequest(tok.encode(prompt, false), c, s, max, Set.of(), List.of());
    }

    @Test
    void eachRowOfAMixedContextBatchGeneratesWhatItWouldAlone() {
        String[] prompts = {"the cat", "a", "some longer prompt here", "dog."};
        List<GenerationRequest> batch = new ArrayList<>();
        for (int i = 0; i < prompts.length; i++) {
            batch.add(req(prompts[i], i == 3 ? null : ctx(i), SamplingParams.greedy(), 12));
        }
        List<GenerationResult> together = gen.generate(batch, TokenListener.NONE);
        for (int i = 0; i < prompts.length; i++) {
            GenerationResult alone = gen.generate(List.of(batch.get(i)), TokenListener.NONE).get(0);
            assertArrayEquals(alone.tokens(), together.get(i).tokens(), "row " + i);
            assertEquals(alone.text(), together.get(i).text());
            assertEquals(12, alone.tokens().length);
        }
        // different contexts really steer the same prompt differently
        GenerationResult a = gen.generate(List.of(req("the cat", ctx(1), SamplingParams.greedy(), 12)), TokenListener.NONE).get(0);
        GenerationResult b = gen.generate(List.of(req("the cat", ctx(2), SamplingParams.greedy(), 12)), TokenListener.NONE).get(0);
        assertFalse(java.util.Arrays.equals(a.tokens(), b.tokens()));
    }

    @Test
    void baseRowsEqualTheBareBaseModel() {
        GenerationRequest r = req("the cat", null, SamplingParams.greedy(), 10);
        GenerationResult withAdapterLoaded = gen.generate(List.of(r), TokenListener.NONE).get(0);
        GenerationResult bare = new BatchDecoder(base, null, tok).generate(List.of(r), TokenListener.NONE).get(0);
        assertArrayEquals(bare.tokens(), withAdapterLoaded.tokens());
    }

    @Test
    void seededSamplingIsReproducibleAndSeedsMatter() {
        SamplingParams s1 = new SamplingParams(1.5f, 10, 0.95f, 7);
        SamplingParams s2 = new SamplingParams(1.5f, 10, 0.95f, 8);
        int[] x = gen.generate(List.of(req("a", ctx(1), s1, 20)), TokenListener.NONE).get(0).tokens();
        int[] y = gen.generate(List.of(req("a", ctx(1), s1, 20)), TokenListener.NONE).get(0).tokens();
        int[] z = gen.generate(List.of(req("a", ctx(1), s2, 20)), TokenListener.NONE).get(0).tokens();
        assertArrayEquals(x, y);
        assertNotEquals(java.util.Arrays.toString(x), java.util.Arrays.toString(z));
    }

    @Test
    void stopStringsCutTheTextAndStreamingDeliversIt() {
        GenerationResult free = gen.generate(List.of(req("the cat", ctx(1), SamplingParams.greedy(), 16)),
                TokenListener.NONE).get(0);
        assertTrue(free.text().length() >= 4, free.text());
        String stop = free.text().substring(2, 4);
        StringBuilder streamed = new StringBuilder();
        GenerationRequest r = new GenerationRequest(tok.encode("the cat", false), ctx(1), SamplingParams.greedy(), 16,
                Set.of(), List.of(stop));
        GenerationResult cut = gen.generate(List.of(r), (row, d) -> streamed.append(d)).get(0);
        assertEquals(free.text().substring(0, free.text().indexOf(stop)), cut.text());
        assertEquals(cut.text(), streamed.toString());
        assertEquals(GenerationResult.FinishReason.STOP, cut.finishReason());
    }

    @Test
    void stopTokenEndsTheRow() {
        GenerationResult free = gen.generate(List.of(req("dog", ctx(3), SamplingParams.greedy(), 8)),
                TokenListener.NONE).get(0);
        int stopAt = free.tokens()[3];
        GenerationRequest r = new GenerationRequest(tok.encode("dog", false), ctx(3), SamplingParams.greedy(), 8,
                Set.of(stopAt), List.of());
        GenerationResult cut = gen.generate(List.of(r), TokenListener.NONE).get(0);
        assertTrue(cut.tokens().length <= 3);
        assertEquals(GenerationResult.FinishReason.STOP, cut.finishReason());
    }

    @Test
    void invalidRequestsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-1f, 0, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1f, 0, 0f, 0));
        assertThrows(IllegalArgumentException.class, () -> req("a", null, SamplingParams.greedy(), 0));
        assertThrows(IllegalArgumentException.class, () -> gen.generate(
                List.of(req("a", null, SamplingParams.greedy(), 10_000)), TokenListener.NONE));
    }
}
