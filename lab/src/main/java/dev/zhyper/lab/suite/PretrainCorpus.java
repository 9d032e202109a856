package dev.zhyper.lab.suite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Unconditioned text of the suite's domain, for pretraining a tiny base model: each line is an input and the output
 * of a randomly chosen TRAINING task on it, separated by one space ("kitten nettik"). There are no descriptions and
 * no task names, and only inputs of the pool's training part are used, so nothing of the validation or test splits
 * (and no held-out task) leaks into pretraining. Generated on the fly from a seed; nothing is committed.
 */
public final class PretrainCorpus {
    private final List<Task> tasks;
    private final TaskSuite suite;
    private final Random rng;

    public PretrainCorpus(TaskSuite suite, long seed) {
        this.suite = suite;
        this.tasks = TaskSuite.trainingTasks();
        this.rng = new Random(seed ^ 0x5DEECE66DL);
    }

    /** The next line, without a line break. */
    public String nextLine() {
        Task t = tasks.get(rng.nextInt(tasks.size()));
        List<String> ins = suite.trainInputs(t.name());
        String in = ins.get(rng.nextInt(ins.size()));
        return in + " " + t.apply(in);
    }

    /** Writes lines until at least {@code bytes} bytes are written; returns the number of lines. */
    public long write(Path file, long bytes) {
        long written = 0;
        long lines = 0;
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            while (written < bytes) {
                String line = nextLine();
                w.write(line);
                w.write('\n');
                written += line.length() + 1;
                lines++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }
}
