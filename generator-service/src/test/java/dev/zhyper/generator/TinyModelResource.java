package dev.zhyper.generator;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.core.nn.Init;
import dev.zhyper.core.nn.Parameter;
import dev.zhyper.core.checkpoint.AdapterCheckpoint;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A tiny random Llama (alphabet "abcdefgh ") and random Zhyper-diag checkpoints over six one-hot "descriptions":
 * arms control (ckpt-a, 90) and treatment (ckpt-b, 10), plus ckpt-c for the hot-swap test. Paths are passed to
 * the app and the test as config ({@code zhyper.test.*}).
 */
public class TinyModelResource implements QuarkusTestResourceLifecycleManager {

    public static final List<String> DESCRIPTIONS = List.of("act as a geography expert", "speak like a pirate",
            "answer in rhymes", "be terse", "be verbose", "speak like someone from Spain");

    private Path tmp;

    @Override
    public Map<String, String> start() {
        try {
            tmp = Files.createTempDirectory("zhyper-generator-test");
            Path model = RandomModels.writeLlama(tmp.resolve("model"), RandomModels.LlamaShape.tiny(0), "abcdefgh ", 1);
            Path a = checkpoint(model, tmp.resolve("ckpt-a"), 11);
            Path b = checkpoint(model, tmp.resolve("ckpt-b"), 22);
            Path c = checkpoint(model, tmp.resolve("ckpt-c"), 33);
            Map<String, String> cfg = new HashMap<>();
            cfg.put("zhyper.model.dir", model.toString());
            cfg.put("zhyper.ab.arms", "control=" + a + ":90,treatment=" + b + ":10");
            cfg.put("zhyper.ab.follow-arm", "treatment");
            cfg.put("zhyper.hypernet.target", "local");
            cfg.put("zhyper.test.tmp", tmp.toString());
            cfg.put("zhyper.test.ckpt-c", c.toString());
            return cfg;
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the tiny model", e);
        }
    }

    /** A random diag adapter checkpoint over the six descriptions (one-hot embedder). */
    static Path checkpoint(Path model, Path dir, long seed) throws IOException {
        ModelConfig cfg = ModelConfig.load(model);
        try (ZhyperAdapter ad = new ZhyperAdapter(cfg, AdapterSpec.of(4, AdapterMethod.DIAG),
                HyperSpec.defaults(DESCRIPTIONS.size()), Device.cpu(), DataType.FLOAT32, seed);
             NDManager m = NDManager.newBaseManager()) {
            SplittableRandom rng = new SplittableRandom(seed);
            for (Parameter p : ad.parameters().all()) {
                p.assign(Init.uniform(m, rng, 0.5, DataType.FLOAT32, p.array().getShape().getShape()));
            }
            return AdapterCheckpoint.save(dir, ad, null, seed, new AdapterCheckpoint.EmbedderInfo("one-hot",
                    DESCRIPTIONS.size(), DESCRIPTIONS), null, false);
        }
    }

    @Override
    public void stop() {
        if (tmp == null) return;
        try (Stream<Path> s = Files.walk(tmp)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
