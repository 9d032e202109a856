package dev.zhyper.lab.suite;

import dev.zhyper.core.data.Datasets;
import dev.zhyper.core.data.TrainingExample;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Unconditioned text of a task suite's domain, for pretraining the project's small base model: lines
 * {@code "input\noutput"} of a training task (no description, no task name, so the input never says which task
 * produced the output) and, in the same share as in the suite, the training tasks' descriptions.
 *
 * <p>With fixed inputs the example lines are exactly the suite's {@code train.jsonl}. With fresh inputs every example
 * line draws a new input (three times in four a random string of 3 to 6 lowercase letters with a vowel and a
 * consonant, as the suite's pool makes them; otherwise one of the suite's training inputs) and a random training task, and computes the output with the task's own function; inputs that occur in the suite's
 * validation or test split are rejected, so nothing evaluated later is seen in pretraining. Fresh inputs make a
 * model learn the operations rather than memorise 200 input/output pairs per task.
 *
 * <p>With {@code pairsPerLine} > 1 (fresh inputs only) an example line is a short "document" of that many
 * input/output pairs of the same task, one per line. Still no description and no task name, but from the second
 * pair on the task can be inferred from the context, as text in the wild carries its own structure; the model
 * learns to carry out each operation once it knows which one is meant, which is what an adapter then has to
 * signal.
 */
public final class DomainText {
    private final int fixedExampleCount;
    private final List<String> trainInputs;
    private final List<Task> tasks;
    private final List<String> descriptions;
    private final Set<String> reserved;
    private final double descriptionShare;
    private final List<String> fixedLines;
    private final boolean fresh;
    private final int pairsPerLine;

    private DomainText(List<String> fixedExamples, List<String> trainInputs, List<Task> tasks,
                       List<String> descriptions, Set<String> reserved,
                       boolean fresh, int pairsPerLine) {
        this.fixedExampleCount = fixedExamples.size();
        this.trainInputs = trainInputs;
        this.tasks = tasks;
        this.descriptions = descriptions;
        this.reserved = reserved;
        this.descriptionShare = descriptions.size() / (double) (descriptions.size() + fixedExamples.size());
        List<String> all = new ArrayList<>(fixedExamples);
        all.addAll(descriptions);
        this.fixedLines = List.copyOf(all);
        this.fresh = fresh;
        this.pairsPerLine = pairsPerLine;
    }

    /** Reads a suite directory ({@code train.jsonl}, {@code descriptions.train.json}, validation and test splits). */
    public static DomainText fromSuite(Path dir, boolean freshInputs) {
        return fromSuite(dir, freshInputs, 1);
    }

    /** As {@link #fromSuite(Path, boolean)}, with {@code pairsPerLine} pairs of one task per example line. */
    public static DomainText fromSuite(Path dir, boolean freshInputs, int pairsPerLine) {
        if (pairsPerLine < 1 || (!freshInputs && pairsPerLine > 1)) {
            throw new IllegalArgumentException("pairs per line must be 1, or more with fresh inputs; got "
                    + pairsPerLine);
        }
        List<TrainingExample> train = Datasets.readExamples(dir.resolve("train.jsonl"));
        if (train.isEmpty()) {
            throw new IllegalArgumentException(dir.resolve("train.jsonl") + ": no training examples");
        }
        List<String> examples = new ArrayList<>(train.size());
        Set<String> inputs = new TreeSet<>();
        Set<String> taskNames = new TreeSet<>();
        for (TrainingExample e : train) {
            examples.add(e.prompt() + "\n" + e.response());
            inputs.add(e.prompt());
            taskNames.add(e.task());
        }
        List<String> descriptions = new ArrayList<>();
        Map<String, List<String>> byTask = Datasets.readDescriptions(dir.resolve("descriptions.train.json"));
        byTask.forEach((task, list) -> {
            if (taskNames.contains(task)) {
                descriptions.addAll(list);
            }
        });
        List<Task> tasks = new ArrayList<>();
        Set<String> reserved = new HashSet<>();
        if (freshInputs) {
            for (String name : taskNames) {
                Task t = TaskSuite.task(name);
                if (t.heldOut()) {
                    throw new IllegalArgumentException(dir.resolve("train.jsonl") + ": held-out task '" + name
                            + "' among the training examples");
                }
                tasks.add(t);
            }
            for (String split : List.of("validation.jsonl", "test.jsonl")) {
                for (TrainingExample e : Datasets.readExamples(dir.resolve(split))) {
                    reserved.add(e.prompt());
                }
            }
        }
        return new DomainText(List.copyOf(examples), List.copyOf(inputs), List.copyOf(tasks), List.copyOf(descriptions),
                Set.copyOf(reserved), freshInputs, pairsPerLine);
    }

    /**
     * The next line (may contain a newline between input and output), drawn with the caller's generator. With fixed
     * inputs: uniformly from the examples followed by the descriptions.
     */
    public String next(SplittableRandom rng) {
        if (!fresh) {
            return fixedLines.get(rng.nextInt(fixedLines.size()));
        }
        if (!descriptions.isEmpty() && rng.nextDouble() < descriptionShare) {
            return descriptions.get(rng.nextInt(descriptions.size()));
        }
        Task t = tasks.get(rng.nextInt(tasks.size()));
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < pairsPerLine; i++) {
            String in = freshInput(rng);
            line.append(i == 0 ? "" : "\n").append(in).append('\n').append(t.apply(in));
        }
        return line.toString();
    }

    /** Number of distinct example lines when inputs are fixed; for fresh inputs the supply is unbounded. */
    public int fixedExampleCount() { return fixedExampleCount; }

    public boolean freshInputs() { return fresh; }

    /** True when {@code input} is one of the suite's validation or test inputs (never drawn as a fresh input). */
    public boolean reserved(String input) { return reserved.contains(input); }

    private String freshInput(SplittableRandom rng) {
        if (rng.nextInt(4) == 0) {
            return trainInputs.get(rng.nextInt(trainInputs.size()));
        }
        while (true) {
            int len = TaskSuite.MIN_INPUT + rng.nextInt(TaskSuite.MAX_INPUT - TaskSuite.MIN_INPUT + 1);
            StringBuilder b = new StringBuilder(len);
            for (int i = 0; i < len; i++) {
                b.append((char) ('a' + rng.nextInt(26)));
            }
            String s = b.toString();
            int consonants = Ops.removeVowels(s).length();
            if (consonants > 0 && consonants < s.length() && !reserved.contains(s)) {
                return s;
            }
        }
    }
}
