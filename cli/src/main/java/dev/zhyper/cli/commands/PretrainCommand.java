package dev.zhyper.cli.commands;

import dev.zhyper.cli.common.CliException;
import dev.zhyper.cli.common.RuntimeOptions;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.lab.suite.DomainText;
import dev.zhyper.core.text.TextTokenizer;
import dev.zhyper.training.Pretrainer;
import dev.zhyper.training.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** {@code zhyper pretrain}: full-parameter LM training of a (small) base model on a text corpus. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pretrain all weights of a base model (e.g. one from init-model) on a corpus of text lines",
                "and write the result as a HF model directory."})
public final class PretrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Initial model (HF directory).")
    Path model;

    @Option(names = "--corpus", paramLabel = "FILE",
            description = "Text, one training line per line (a literal \\n inside a line is a newline).")
    Path corpus;

    @Option(names = "--suite", paramLabel = "DIR",
            description = {"Build the corpus from a task suite instead: every training example as",
                    "\"prompt\\nresponse\" (no description, no task name) plus the training tasks' descriptions."})
    Path suite;

    @Option(names = "--fresh-inputs", description = "With --suite: draw a new input for every example line instead of "
            + "reusing the suite's training examples (never a validation or test input).")
    boolean freshInputs;

    @Option(names = "--pairs-per-line", defaultValue = "1", paramLabel = "N",
            description = "With --fresh-inputs: N input/output pairs of the same task per example line (default "
                    + "${DEFAULT-VALUE}).")
    int pairsPerLine;

    @Option(names = "--out", required = true, paramLabel = "DIR") Path out;

    @Option(names = "--steps", defaultValue = "1000") int steps;

    @Option(names = "--batch", defaultValue = "32") int batch;

    @Option(names = "--lr", defaultValue = "3e-3") double lr;

    @Option(names = "--max-length", defaultValue = "64") int maxLength;

    @Option(names = "--seed", defaultValue = "0") long seed;

    static List<String> readCorpus(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            if (!l.isBlank()) {
                lines.add(l.replace("\\n", "\n"));
            }
        }
        return lines;
    }

    @Override
    public Integer call() throws IOException {
        if ((corpus == null) == (suite == null)) {
            throw new CliException("give exactly one of --corpus and --suite");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Supplier<String> source;
        String sourceName;
        if (corpus != null) {
            List<String> lines = readCorpus(corpus);
            if (lines.isEmpty()) {
                throw new CliException("the corpus has no lines");
            }
            source = () -> lines.get(rng.nextInt(lines.size()));
            sourceName = String.format("%,d lines of %s", lines.size(), corpus);
        } else {
            DomainText text;
            try {
                text = DomainText.fromSuite(suite, freshInputs, pairsPerLine);
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                throw new CliException(e.getMessage());
            }
            source = () -> text.next(rng);
            sourceName = freshInputs ? "suite " + suite + " with fresh inputs, " + pairsPerLine + " pair(s) per line"
                    : String.format("suite %s (%,d examples and its training descriptions)", suite,
                    text.fixedExampleCount());
        }
        PrintWriter err = spec.commandLine().getErr();
        long t0 = System.nanoTime();
        try (DecoderModel m = DecoderModel.load(model, runtime.modelOptions());
             TextTokenizer tok = TextTokenizer.load(model);
             Pretrainer p = new Pretrainer(m, tok, new Pretrainer.Options(steps, batch, lr, 0.05, 0.01, 1.0, seed,
                     maxLength))) {
            err.printf("pretraining %,d parameters on %s for %d steps%n", m.config().baseParameterCount(),
                    sourceName, steps);
            long tokens = 0;
            java.util.ArrayDeque<List<String>> pending = new java.util.ArrayDeque<>();
            while (!p.finished()) {
                if (pending.isEmpty()) {
                    // draw 8 batches at once and group them by length, so little compute goes to padding
                    List<String> pool = new ArrayList<>(batch * 8);
                    for (int i = 0; i < batch * 8; i++) {
                        pool.add(source.get());
                    }
                    pool.sort(java.util.Comparator.comparingInt(String::length));
                    List<List<String>> groups = new ArrayList<>();
                    for (int i = 0; i < pool.size(); i += batch) {
                        groups.add(pool.subList(i, Math.min(pool.size(), i + batch)));
                    }
                    java.util.Collections.shuffle(groups, new java.util.Random(rng.nextLong()));
                    pending.addAll(groups);
                }
                Trainer.StepResult r = p.step(pending.poll());
                tokens += r.tokens();
                if (r.step() % Math.max(1, Math.min(25, steps / 40)) == 0 || p.finished()) {
                    double secs = (System.nanoTime() - t0) / 1e9;
                    err.printf("step %d/%d  loss %.4f  lr %.2e  %.0f tok/s%n", r.step() + 1, steps, r.loss(), r.lr(),
                            tokens / secs);
                    err.flush();
                }
            }
            p.save(model, out);
        }
        spec.commandLine().getOut().printf("%s (%.1f min)%n", out, (System.nanoTime() - t0) / 6e10);
        return 0;
    }
}
