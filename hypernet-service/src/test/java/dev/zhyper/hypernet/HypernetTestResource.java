package dev.zhyper.hypernet;

import dev.zhyper.core.adapter.AdapterMethod;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A tiny random model and two random checkpoints in a temp dir: ckpt-a (zhyper-diag, loaded at startup via
 * zhyper.checkpoint.dir) and ckpt-b (zhyper-square, for CheckpointEvents). Paths are passed as config
 * (zhyper.test.*).
 */
public class HypernetTestResource implements QuarkusTestResourceLifecycleManager {

    private Path root;

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("zhyper-hypernet-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path model = TestCheckpoints.model(root.resolve("model"), "abcdefgh ");
        Path a = TestCheckpoints.checkpoint(model, root.resolve("ckpt-a"), AdapterMethod.DIAG, 1);
        Path b = TestCheckpoints.checkpoint(model, root.resolve("ckpt-b"), AdapterMethod.SQUARE, 2);
        return Map.of("zhyper.model.dir", model.toString(),
                "zhyper.checkpoint.dir", a.toString(),
                "zhyper.embedder.target", "local",
                "zhyper.test.root", root.toString(),
                "zhyper.test.checkpoint-a", a.toString(),
                "zhyper.test.checkpoint-b", b.toString());
    }

    @Override
    public void stop() {
        if (root == null) return;
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir
        }
    }
}
