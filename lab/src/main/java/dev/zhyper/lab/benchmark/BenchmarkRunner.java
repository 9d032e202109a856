package dev.zhyper.lab.benchmark;

import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.engine.ZhyperEngine;
import dev.zhyper.core.generate.GenerationRequest;
import dev.zhyper.core.generate.GenerationResult;
import dev.zhyper.core.generate.PromptTooLong;
import dev.zhyper.core.generate.SamplingParams;
import dev.zhyper.core.generate.TokenListener;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Greedy, batched generation of benchmark items on a {@link ZhyperEngine}, scored by string match. Each distinct
 * condition is modulated once; rows of a batch may carry different conditions.
 */
public final class BenchmarkRunner {
    private BenchmarkRunner() {}

    /** One scored generation. */
    public record Prediction(BenchItem item, String output, Judgement judgement) {}

    /** Accuracy over questions (a group of items is one question). */
    public record Score(int n, int correct) {
        public double accuracy() { return n == 0 ? 0 : (double) correct / n; }
    }

    /** One run of a benchmark under one condition. */
    public record Run(Condition condition, Score score, Map<String, Score> subsets, List<Prediction> predictions) {}

    /** Generates and scores {@code items} ({@code maxTokens} new tokens at most, {@code batchSize} rows at once). */
    public static List<Prediction> generate(ZhyperEngine engine, List<BenchItem> items, int batchSize, int maxTokens,
                                            IntConsumer progress) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        Map<String, ContextModulation> modulations = modulations(engine, items);
        int maxPositions = engine.base().config().maxPositions();
        List<Prediction> out = new ArrayList<>(items.size());
        for (int start = 0; start < items.size(); start += batchSize) {
            List<BenchItem> batch = items.subList(start, Math.min(items.size(), start + batchSize));
            List<GenerationRequest> requests = new ArrayList<>(batch.size());
            for (BenchItem it : batch) {
                ContextModulation z = it.condition() == null ? null : modulations.get(it.condition());
                GenerationRequest r = engine.request(it.system(), it.user(), it.prefill(), z,
                        SamplingParams.greedy(), maxTokens, null);
                try {
                    PromptTooLong.check(r.prompt().length, maxTokens, maxPositions);
                } catch (PromptTooLong e) {
                    throw new BenchmarkException(it.task() + " item " + it.id() + ": " + e.getMessage()
                            + " (lower --max-tokens or use a longer-context model)");
                }
                requests.add(r);
            }
            List<GenerationResult> results = engine.generate(requests, TokenListener.NONE);
            for (int i = 0; i < batch.size(); i++) {
                String text = results.get(i).text();
                out.add(new Prediction(batch.get(i), text, batch.get(i).judge(text)));
            }
            progress.accept(out.size());
        }
        return out;
    }

    private static Map<String, ContextModulation> modulations(ZhyperEngine engine, List<BenchItem> items) {
        List<String> distinct = items.stream().map(BenchItem::condition).filter(c -> c != null).distinct().toList();
        Map<String, ContextModulation> out = new HashMap<>();
        if (distinct.isEmpty()) {
            return out;
        }
        if (engine.adapter() == null) {
            throw new IllegalStateException("items are conditioned on a description but no checkpoint is loaded");
        }
        for (int i = 0; i < distinct.size(); i += 256) {
            List<String> chunk = distinct.subList(i, Math.min(distinct.size(), i + 256));
            List<ContextModulation> z;
            try {
                z = engine.modulate(chunk);
            } catch (IllegalArgumentException e) {
                throw new BenchmarkException("the checkpoint cannot be conditioned on these descriptions: "
                        + e.getMessage(), e);
            }
            for (int j = 0; j < chunk.size(); j++) {
                out.put(chunk.get(j), z.get(j));
            }
        }
        return out;
    }

    /** Overall and per-subset scores of some predictions; a group counts once, right only if all its items are. */
    public static Run score(Condition condition, List<Prediction> predictions) {
        Map<String, Boolean> groups = new LinkedHashMap<>();
        Map<String, String> subsetOfGroup = new HashMap<>();
        for (Prediction p : predictions) {
            groups.merge(p.item().group(), p.judgement().correct(), Boolean::logicalAnd);
            subsetOfGroup.putIfAbsent(p.item().group(), p.item().subset());
        }
        Map<String, int[]> subsets = new LinkedHashMap<>();
        int correct = 0;
        for (Map.Entry<String, Boolean> g : groups.entrySet()) {
            int[] c = subsets.computeIfAbsent(subsetOfGroup.get(g.getKey()), k -> new int[2]);
            c[0]++;
            if (g.getValue()) {
                c[1]++;
                correct++;
            }
        }
        Map<String, Score> bySubset = new LinkedHashMap<>();
        subsets.forEach((k, c) -> bySubset.put(k, new Score(c[0], c[1])));
        return new Run(condition, new Score(groups.size(), correct), bySubset, List.copyOf(predictions));
    }

    /** Runs a benchmark under one condition. */
    public static Run run(ZhyperEngine engine, Benchmark benchmark, Condition condition, BenchMode mode,
                          int batchSize, int maxTokens, IntConsumer progress) {
        List<BenchItem> items = benchmark.items(condition, mode, engine.adapter() != null);
        return score(condition, generate(engine, items, batchSize, maxTokens, progress));
    }

    /** Mean and sample standard deviation (n - 1; 0 for a single value). */
    public record Stats(double mean, double std, int count) {
        public static Stats of(List<Double> values) {
            int n = values.size();
            if (n == 0) {
                return new Stats(Double.NaN, Double.NaN, 0);
            }
            double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            if (n == 1) {
                return new Stats(mean, 0, 1);
            }
            double ss = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
            return new Stats(mean, Math.sqrt(ss / (n - 1)), n);
        }
    }
}
