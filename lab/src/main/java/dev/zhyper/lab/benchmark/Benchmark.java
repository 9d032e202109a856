package dev.zhyper.lab.benchmark;

import java.util.List;

/** A benchmark ready to run: its items under a condition, and which descriptions it is evaluated with. */
public interface Benchmark {
    String name();

    /** The scorer's id, for reports. */
    String scorerId();

    /** Default generation budget. */
    int defaultMaxTokens();

    /** The {@code k} unseen evaluation descriptions (CulturalBench: phrasings with a {@code {country}} slot). */
    List<String> evaluationDescriptions(int k);

    /**
     * Every item under {@code condition}.
     *
     * @param mode        NONE: no description anywhere; PREPEND: description as system message; ADAPTER: through z
     * @param conditioned whether an adapter checkpoint is loaded (then every item gets a condition: the description,
     *                    or the empty string in mode NONE, which only an unconditioned MTL checkpoint accepts)
     */
    List<BenchItem> items(Condition condition, BenchMode mode, boolean conditioned);

    /** Records left out because the prompt template does not fit them, with the first reason (null if none). */
    Skipped skipped();

    record Skipped(int count, String firstReason) {
        public static final Skipped NONE = new Skipped(0, null);
    }
}
