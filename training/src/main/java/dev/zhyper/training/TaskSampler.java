package dev.zhyper.training;

import dev.zhyper.core.data.TrainingExample;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The reference sampler: each batch draws distinct tasks (one example each), and every example gets one of its
 * task's training descriptions at random. Batches are a pure function of (seed, step), so resuming at step k
 * reproduces exactly the batches an uninterrupted run would have drawn.
 */
public final class TaskSampler {

    /** An example with the description it is conditioned on this time. */
    public record Sample(TrainingExample example, String description) {}

    private final List<String> tasks;
    private final Map<String, List<TrainingExample>> examples;
    private final Map<String, List<String>> descriptions;
    private final long seed;

    public TaskSampler(List<TrainingExample> data, Map<String, List<String>> descriptions, long seed) {
        Map<String, List<TrainingExample>> byTask = new TreeMap<>();
        for (TrainingExample e : data) {
            byTask.computeIfAbsent(e.task(), k -> new ArrayList<>()).add(e);
        }
        if (byTask.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        for (String t : byTask.keySet()) {
            List<String> d = descriptions.get(t);
            if (d == null || d.isEmpty()) {
                throw new IllegalArgumentException("task '" + t + "' has examples but no description");
            }
        }
        this.examples = byTask;
        this.tasks = List.copyOf(byTask.keySet());
        this.descriptions = new LinkedHashMap<>(descriptions);
        this.seed = seed;
    }

    public List<String> tasks() { return tasks; }

    /** The batch of update number {@code step}. With fewer tasks than rows, tasks repeat as rarely as possible. */
    public List<Sample> batch(long step, int size) {
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + 1);
        List<String> order = new ArrayList<>();
        while (order.size() < size) {
            List<String> round = new ArrayList<>(tasks);
            Collections.shuffle(round, new java.util.Random(rng.nextLong()));
            order.addAll(round.subList(0, Math.min(round.size(), size - order.size())));
        }
        List<Sample> out = new ArrayList<>(size);
        for (String t : order) {
            List<TrainingExample> ex = examples.get(t);
            List<String> d = descriptions.get(t);
            out.add(new Sample(ex.get(rng.nextInt(ex.size())), d.get(rng.nextInt(d.size()))));
        }
        return out;
    }
}
