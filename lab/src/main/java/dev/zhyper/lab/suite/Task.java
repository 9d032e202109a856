package dev.zhyper.lab.suite;

import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One task of the conditioning suite: a deterministic map from an input (a short lowercase string) to a short output.
 *
 * @param name         unique id, e.g. {@code caesar_4}
 * @param family       the family the task belongs to; parametric families share one, e.g. {@code caesar}
 * @param param        the family parameter as text ({@code "4"}, {@code "s"}), or null when the family has none
 * @param heldOut      true when the task never appears in training data (only in validation/test)
 * @param steps        for a composition, the names of the tasks applied in order; empty otherwise
 * @param reachability for a held-out task, why it is reachable from what training shows; null for training tasks
 * @param fn           the input → output function
 */
public record Task(String name, String family, String param, boolean heldOut, List<String> steps,
                   Reachability reachability, UnaryOperator<String> fn) {

    public Task {
        Objects.requireNonNull(name);
        Objects.requireNonNull(family);
        Objects.requireNonNull(fn);
        steps = List.copyOf(steps);
        if (heldOut && reachability == null) {
            throw new IllegalArgumentException("held-out task " + name + " must say why it is reachable");
        }
    }

    public String apply(String input) {
        return fn.apply(input);
    }

    public boolean isComposition() {
        return !steps.isEmpty();
    }

    /**
     * Why a held-out task can be solved from what was seen in training.
     *
     * @param kind       {@code parameter} (a new value of a seen parametric family) or {@code composition}
     * @param family     the parametric family (parameter kind), or {@code composition}
     * @param param      the held-out parameter value (parameter kind), or null
     * @param seenParams the family's parameter values seen in training (parameter kind); empty otherwise
     * @param seenTasks  the training tasks the held-out task is built from (family members, or the composed steps in order)
     * @param why        one sentence for reports
     */
    public record Reachability(String kind, String family, String param, List<String> seenParams,
                               List<String> seenTasks, String why) {
        public Reachability {
            seenParams = List.copyOf(seenParams);
            seenTasks = List.copyOf(seenTasks);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
