package dev.zhyper.core.eval;

import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.engine.ZhyperEngine;
import dev.zhyper.core.generate.GenerationRequest;
import dev.zhyper.core.generate.GenerationResult;
import dev.zhyper.core.generate.SamplingParams;
import dev.zhyper.core.generate.TokenListener;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Greedy generation and exact-match scoring (after trimming whitespace). Items are decoded in batches that mix
 * contexts freely; each distinct condition is modulated once.
 */
public final class ExactMatch {
    private ExactMatch() {}

    public record Prediction(EvalItem item, String output, boolean correct) {}

    public record Result(int total, int correct, Map<String, int[]> perTask, List<Prediction> predictions) {
        public double accuracy() { return total == 0 ? 0 : (double) correct / total; }

        /** Mean of per-task accuracies (each task weighs the same). */
        public double macroAccuracy() {
            return perTask.values().stream().mapToDouble(c -> (double) c[0] / c[1]).average().orElse(0);
        }
    }

    public static Result evaluate(ZhyperEngine engine, List<EvalItem> items, int batchSize, int maxTokens,
                                  IntConsumer progress) {
        return evaluate(engine, items, batchSize, maxTokens, String::strip, progress);
    }

    /**
     * As above, judging {@code answer.apply(output)} against the stripped expected text (e.g. the suite's
     * {@code ExactMatch::answerIn}: the output's first line).
     */
    public static Result evaluate(ZhyperEngine engine, List<EvalItem> items, int batchSize, int maxTokens,
                                  java.util.function.UnaryOperator<String> answer, IntConsumer progress) {
        Map<String, ContextModulation> modulations = new HashMap<>();
        if (engine.adapter() != null) {
            List<String> distinct = items.stream().map(EvalItem::condition).filter(c -> c != null).distinct().toList();
            for (int i = 0; i < distinct.size(); i += 256) {
                List<String> chunk = distinct.subList(i, Math.min(distinct.size(), i + 256));
                List<ContextModulation> z = engine.modulate(chunk);
                for (int j = 0; j < chunk.size(); j++) {
                    modulations.put(chunk.get(j), z.get(j));
                }
            }
        }
        List<Prediction> predictions = new ArrayList<>();
        Map<String, int[]> perTask = new LinkedHashMap<>();
        int correct = 0;
        for (int start = 0; start < items.size(); start += batchSize) {
            List<EvalItem> batch = items.subList(start, Math.min(items.size(), start + batchSize));
            List<GenerationRequest> requests = new ArrayList<>();
            for (EvalItem it : batch) {
                ContextModulation z = it.condition() == null ? null : modulations.get(it.condition());
                requests.add(engine.request(it.system(), it.prompt(), z, SamplingParams.greedy(), maxTokens, null));
            }
            List<GenerationResult> out = engine.generate(requests, TokenListener.NONE);
            for (int i = 0; i < batch.size(); i++) {
                EvalItem it = batch.get(i);
                boolean ok = answer.apply(out.get(i).text()).equals(it.expected().strip());
                correct += ok ? 1 : 0;
                int[] c = perTask.computeIfAbsent(it.task(), k -> new int[2]);
                c[0] += ok ? 1 : 0;
                c[1]++;
                predictions.add(new Prediction(it, out.get(i).text(), ok));
            }
            progress.accept(Math.min(items.size(), start + batchSize));
        }
        return new Result(items.size(), correct, perTask, predictions);
    }

    /**
     * The answer in a generated text: its first line, stripped. Suite answers never span lines, and a base model
     * pretrained on documents of several pairs goes on with a next pair after its answer instead of ending.
     */
    public static String answerIn(String generated) {
        String t = generated.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }
}
