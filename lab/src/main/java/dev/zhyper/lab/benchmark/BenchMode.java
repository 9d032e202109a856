package dev.zhyper.lab.benchmark;

import java.util.Locale;

/** How a benchmark run uses the task description. */
public enum BenchMode {
    /** The base model (or an unconditioned MTL checkpoint), no description. */
    NONE,
    /** The description is the system message (prepended to the prompt); no hypernetwork conditioning is required. */
    PREPEND,
    /** A checkpoint's adapter conditioned on the description through z. */
    ADAPTER;

    public String id() { return name().toLowerCase(Locale.ROOT); }

    public static BenchMode parse(String s) {
        for (BenchMode m : values()) {
            if (m.id().equals(s.strip().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + s + "' (none, prepend, adapter)");
    }
}
