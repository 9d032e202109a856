package dev.zhyper.lab.benchmark;

import java.util.List;

/**
 * One prompt to generate for and score.
 *
 * @param id        stable item id (e.g. {@code arc_easy.jsonl:17})
 * @param group     items of one group count as one question, right only if all are (CulturalBench Hard); else id
 * @param subset    the part of the benchmark it is reported under ({@code all}, or {@code seen}/{@code unseen})
 * @param condition text the adapter is conditioned on through z, or null for none (z = 0: the base model)
 * @param system    system message, or null/empty for none
 * @param prefill   text put at the start of the assistant turn; generation continues from it
 * @param expected  normalised expected answer
 * @param labels    valid answers for the scorer
 */
public record BenchItem(String task, String id, String group, String subset, String condition, String system,
                        String user, String prefill, Scorer scorer, String expected, List<String> labels) {
    public static final String ALL = "all";

    public BenchItem {
        labels = List.copyOf(labels);
    }

    public Judgement judge(String generation) {
        return scorer.judge(generation, expected, labels);
    }
}
