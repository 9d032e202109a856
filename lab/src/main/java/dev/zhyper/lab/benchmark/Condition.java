package dev.zhyper.lab.benchmark;

import java.util.List;

/**
 * What one run of a benchmark is conditioned on.
 *
 * @param kind {@link Kind#NONE} (no description), an unseen task description, or a nonsense string
 * @param text the description (for CulturalBench a phrasing with a {@code {country}} slot); null for NONE
 */
public record Condition(Kind kind, String text) {
    public enum Kind { NONE, DESCRIPTION, NONSENSE }

    /** Uninformative descriptions of the reference protocol. */
    public static final List<String> NONSENSE = List.of("dogs;cats;bananas;", "ggggggggggggggggggggg");

    public static final Condition NO_DESCRIPTION = new Condition(Kind.NONE, null);

    public Condition {
        if ((kind == Kind.NONE) != (text == null)) {
            throw new IllegalArgumentException("a condition has text exactly when its kind is not NONE");
        }
    }

    public String label() {
        return kind == Kind.NONE ? "(none)" : text;
    }
}
