package dev.zhyper.cli;

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

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/** A tiny random Llama (with a character-level tokenizer) and an adapter checkpoint with random parameters. */
final class TinyCheckpoint {
    static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz :";
    static final List<String> LABELS = List.of("make it upper case", "reverse the word", "upper", "reverse");

    private TinyCheckpoint() {}

    static Path model(Path dir) {
        return RandomModels.writeLlama(dir, RandomModels.LlamaShape.tiny(0), ALPHABET, 3);
    }

    /** Saves a checkpoint whose every parameter is random (B ≠ 0), trained "with" a one-hot embedder over LABELS. */
    static Path checkpoint(Path dir, Path modelDir, AdapterMethod method) throws Exception {
        ModelConfig cfg = ModelConfig.load(modelDir);
        try (ZhyperAdapter a = new ZhyperAdapter(cfg, AdapterSpec.of(2, method), HyperSpec.defaults(LABELS.size()),
                Device.cpu(), DataType.FLOAT32, 1)) {
            SplittableRandom rng = new SplittableRandom(5);
            try (NDManager m = NDManager.newBaseManager()) {
                for (Parameter p : a.parameters().all()) {
                    p.assign(Init.uniform(m, rng, 0.3, DataType.FLOAT32, p.array().getShape().getShape()));
                }
            }
            return AdapterCheckpoint.save(dir, a, null, 0,
                    new AdapterCheckpoint.EmbedderInfo("one-hot", LABELS.size(), LABELS), null, false);
        }
    }
}
