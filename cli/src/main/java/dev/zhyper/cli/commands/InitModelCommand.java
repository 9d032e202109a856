package dev.zhyper.cli.commands;

import dev.zhyper.core.model.random.RandomModels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code zhyper init-model}: writes a randomly initialised Llama-architecture HF model directory. */
@Command(name = "init-model", mixinStandardHelpOptions = true,
        description = {"Write a random Llama-architecture model (config.json, model.safetensors and, with",
                "--alphabet, a character-level tokenizer.json) — for tests, benchmarks and pretraining."})
public final class InitModelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR") Path out;

    @Option(names = "--vocab", defaultValue = "32000", description = "Vocabulary size without --alphabet.") int vocab;

    @Option(names = "--hidden", defaultValue = "64") int hidden;

    @Option(names = "--intermediate", defaultValue = "176") int intermediate;

    @Option(names = "--layers", defaultValue = "4") int layers;

    @Option(names = "--heads", defaultValue = "4") int heads;

    @Option(names = "--kv-heads", defaultValue = "2") int kvHeads;

    @Option(names = "--max-positions", defaultValue = "512") int maxPositions;

    @Option(names = "--alphabet", description = "Characters of a char-level tokenizer (vocab = 4 specials + these).")
    String alphabet;

    @Option(names = "--seed", defaultValue = "0") long seed;

    @Override
    public Integer call() {
        Path dir = RandomModels.writeLlama(out, new RandomModels.LlamaShape(vocab, hidden, intermediate, layers, heads,
                kvHeads, maxPositions), alphabet, seed);
        spec.commandLine().getOut().println(dir);
        return 0;
    }
}
