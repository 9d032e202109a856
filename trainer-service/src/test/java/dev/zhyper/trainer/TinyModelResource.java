package dev.zhyper.trainer;

import dev.zhyper.core.model.random.RandomModels;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Quarkus test resource: a tiny random Llama with a character-level tokenizer in a temp dir
 * ({@code zhyper.model.dir}) and an empty checkpoint root next to it ({@code zhyper.checkpoints.root}).
 */
public class TinyModelResource implements QuarkusTestResourceLifecycleManager {

    static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz :";

    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("zhyper-trainer-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path model = RandomModels.writeLlama(dir.resolve("model"), RandomModels.LlamaShape.tiny(0), ALPHABET, 3);
        return Map.of("zhyper.model.dir", model.toString(),
                "zhyper.checkpoints.root", dir.resolve("checkpoints").toString());
    }

    @Override
    public void stop() {
        deleteTree(dir);
    }

    static void deleteTree(Path dir) {
        if (dir == null) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir
        }
    }
}
