package dev.zhyper.core.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.generate.GenerationResult;
import dev.zhyper.core.generate.SamplingParams;
import dev.zhyper.core.generate.TokenListener;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.io.ModelFormatException;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.core.nn.Init;
import dev.zhyper.core.nn.Parameter;
import dev.zhyper.core.checkpoint.AdapterCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZhyperEngineTest {
    @TempDir
    Path tmp;

    static final List<String> LABELS = List.of("shout", "whisper");

    Path checkpoint(Path model, String name, long seed) throws Exception {
        ModelConfig cfg = ModelConfig.load(model);
        try (ZhyperAdapter a = new ZhyperAdapter(cfg, AdapterSpec.of(4, AdapterMethod.DIAG),
                HyperSpec.defaults(LABELS.size()), Device.cpu(), DataType.FLOAT32, seed);
             NDManager m = NDManager.newBaseManager()) {
            SplittableRandom rng = new SplittableRandom(seed);
            for (Parameter p : a.parameters().all()) {
                p.assign(Init.uniform(m, rng, 0.5, DataType.FLOAT32, p.array().getShape().getShape()));
            }
            return AdapterCheckpoint.save(tmp.resolve(name), a, null, 1,
                    new AdapterCheckpoint.EmbedderInfo("one-hot", LABELS.size(), LABELS), null, false);
        }
    }

    String generate(ZhyperEngine e, String context) {
        var z = context == null ? null : e.modulate(context);
        GenerationResult r = e.generate(List.of(e.request(null, "abc", z, SamplingParams.greedy(), 10, null)),
                TokenListener.NONE).get(0);
        return r.text();
    }

    @Test
    void checkpointsHotSwapOnASharedBaseAndBadOnesAreRefused() throws Exception {
        Path model = RandomModels.writeLlama(tmp.resolve("m"), RandomModels.LlamaShape.tiny(0), "abcdefgh ", 1);
        Path good = checkpoint(model, "good", 1);
        Path other = checkpoint(model, "other", 2);
        try (ZhyperEngine baseOnly = ZhyperEngine.open(model, null, ModelOptions.cpuFloat32())) {
            String baseText = generate(baseOnly, null);
            String adapted;
            try (ZhyperEngine arm = baseOnly.withCheckpoint(good)) {
                adapted = generate(arm, "shout");
                assertNotEquals(baseText, adapted);
                assertEquals(baseText, generate(arm, null), "rows without a context are the base model");
                try (ZhyperEngine arm2 = baseOnly.withCheckpoint(other)) {
                    assertNotEquals(arm.checkpointId(), arm2.checkpointId());
                }
                assertEquals(adapted, generate(arm, "shout"), "closing another arm leaves this one intact");
            }
            assertEquals(baseText, generate(baseOnly, null), "closing an arm leaves the base intact");
            // a checkpoint whose bytes no longer match its manifest is refused
            try (FileChannel ch = FileChannel.open(other.resolve(AdapterCheckpoint.PARAMS), StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {42}), ch.size() - 3);
            }
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> baseOnly.withCheckpoint(other));
            assertTrue(e.getMessage().contains("sha256"), e.getMessage());
            try (ZhyperEngine arm = baseOnly.withCheckpoint(good)) {
                assertEquals(adapted, generate(arm, "shout"));
            }
        }
    }
}
