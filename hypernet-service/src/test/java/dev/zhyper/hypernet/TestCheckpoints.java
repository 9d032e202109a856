package dev.zhyper.hypernet;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.embed.MiniLmEmbedder;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.core.nn.Init;
import dev.zhyper.core.nn.Parameter;
import dev.zhyper.core.checkpoint.AdapterCheckpoint;
import dev.zhyper.core.checkpoint.Sha256;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** A tiny random Llama (2 layers) and random adapter checkpoints for it (not a test). */
final class TestCheckpoints {

    static final int RANK = 4;

    private TestCheckpoints() {}

    static Path model(Path dir, String alphabet) {
        return RandomModels.writeLlama(dir, RandomModels.LlamaShape.tiny(0), alphabet, 1);
    }

    /** A random adapter checkpoint (q_proj, v_proj on every layer) whose hypernetwork takes MiniLM embeddings. */
    static Path checkpoint(Path model, Path dir, AdapterMethod method, long seed) {
        ModelConfig cfg = ModelConfig.load(model);
        try (ZhyperAdapter a = new ZhyperAdapter(cfg, AdapterSpec.of(RANK, method),
                HyperSpec.defaults(MiniLmEmbedder.DIM), Device.cpu(), DataType.FLOAT32, seed);
             NDManager m = NDManager.newBaseManager()) {
            SplittableRandom rng = new SplittableRandom(seed);
            for (Parameter p : a.parameters().all()) {
                p.assign(Init.uniform(m, rng, 0.5, DataType.FLOAT32, p.array().getShape().getShape()));
            }
            return AdapterCheckpoint.save(dir, a, null, seed * 100,
                    new AdapterCheckpoint.EmbedderInfo(MiniLmEmbedder.ID, MiniLmEmbedder.DIM, List.of()), null, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String fingerprint(Path checkpoint) {
        try {
            return Sha256.ofFile(checkpoint.resolve("manifest.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String id(Path checkpoint) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(checkpoint.resolve("manifest.json").toFile())
                    .get("checkpoint_id").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of {@code src} whose adapter.safetensors has one byte changed (manifest untouched). */
    static Path tamperedCopy(Path src, Path dst) {
        try {
            Files.createDirectories(dst);
            try (Stream<Path> files = Files.list(src)) {
                for (Path f : files.toList()) Files.copy(f, dst.resolve(f.getFileName()));
            }
            try (FileChannel ch = FileChannel.open(dst.resolve(AdapterCheckpoint.PARAMS), StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocate(1);
                ch.read(b, ch.size() - 3);
                b.flip();
                byte x = (byte) (b.get(0) ^ 0x5a);
                ch.write(ByteBuffer.wrap(new byte[] {x}), ch.size() - 3);
            }
            return dst;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
