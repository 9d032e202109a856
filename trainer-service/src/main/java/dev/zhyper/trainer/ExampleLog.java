package dev.zhyper.trainer;

import dev.zhyper.core.data.TrainingExample;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every valid example consumed from {@code zhyper.training.examples} (the streaming training set: "everything seen so
 * far", bounded by {@code zhyper.trainer.stream.max-examples}, oldest dropped first) and every task's descriptions.
 * Keyed by {@code partition:offset}, so a record re-consumed after a crash or rebalance is not counted twice.
 * Thread-safe.
 */
@ApplicationScoped
public class ExampleLog {

    @Inject
    TrainerSettings settings;

    private final LinkedHashMap<String, TrainingExample> examples = new LinkedHashMap<>();
    private final Map<String, LinkedHashSet<String>> descriptions = new TreeMap<>();

    /** A consistent copy: examples in arrival order and the descriptions of their tasks. */
    public record Snapshot(List<TrainingExample> examples, Map<String, List<String>> descriptions) {}

    /** Adds (or replaces) the example read at {@code partition:offset} and adds the task's descriptions. */
    public synchronized void add(int partition, long offset, TrainingExample e, List<String> descs) {
        examples.put(partition + ":" + offset, e);
        descriptions.computeIfAbsent(e.task(), t -> new LinkedHashSet<>()).addAll(descs);
        int max = settings.streamMaxExamples();
        Iterator<String> it = examples.keySet().iterator();
        while (examples.size() > max && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    /** Whether descriptions of the task are known. */
    public synchronized boolean knowsTask(String task) {
        Set<String> d = descriptions.get(task);
        return d != null && !d.isEmpty();
    }

    public synchronized int size() {
        return examples.size();
    }

    public synchronized Snapshot snapshot() {
        List<TrainingExample> ex = new ArrayList<>(examples.values());
        Map<String, List<String>> d = new TreeMap<>();
        for (TrainingExample e : ex) {
            d.computeIfAbsent(e.task(), t -> List.copyOf(descriptions.get(t)));
        }
        return new Snapshot(List.copyOf(ex), d);
    }
}
