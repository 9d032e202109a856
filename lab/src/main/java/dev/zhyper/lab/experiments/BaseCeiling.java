package dev.zhyper.lab.experiments;

import dev.zhyper.core.eval.ExactMatch;
import dev.zhyper.core.data.TrainingExample;
import dev.zhyper.core.generate.GenerationRequest;
import dev.zhyper.core.generate.GenerationResult;
import dev.zhyper.core.generate.BatchDecoder;
import dev.zhyper.core.generate.SamplingParams;
import dev.zhyper.core.generate.TokenListener;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.text.ChatTemplate;
import dev.zhyper.core.text.Prompting;
import dev.zhyper.core.text.TextTokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How much of the suite the base model can already do once the task is known: the model is given the first
 * {@code k} characters of the expected answer after the prompt (which, for most tasks, says which operation is
 * meant) and must complete the rest exactly. Nothing conditions it otherwise. This bounds what any adapter can
 * reach by steering alone: a base that cannot finish "MI" → "RROR" on an unseen input has not learned upper-casing,
 * and an adapter has to teach it rather than select it. The completion's first line counts (suite answers never
 * span lines), so a base pretrained on documents of several pairs, which goes on with the next pair instead of
 * ending, is judged on the answer itself.
 */
public final class BaseCeiling {
    private BaseCeiling() {}

    /** Exact-match rate of the completions per task, for answer prefixes of {@code prefixChars} characters. */
    public record Result(int prefixChars, Map<String, int[]> perTask) {
        public double accuracy(List<String> tasks) {
            int ok = 0;
            int n = 0;
            for (String t : tasks) {
                int[] c = perTask.get(t);
                if (c != null) {
                    ok += c[0];
                    n += c[1];
                }
            }
            return n == 0 ? 0 : ok / (double) n;
        }
    }

    /**
     * @param perTask test examples per task (the first ones in file order)
     */
    public static Result measure(DecoderModel base, TextTokenizer tokenizer, SuiteData suite, int prefixChars,
                                 int perTask, int batchSize) {
        return measure(base, tokenizer, suite, prefixChars, 0, perTask, batchSize);
    }

    /**
     * As {@link #measure(DecoderModel, TextTokenizer, SuiteData, int, int, int)}, with {@code demos} solved examples
     * of the same task written before each prompt ({@code "input\noutput\n"} each, taken from the task's other test
     * items): the task is then known from the context instead of the answer's first characters, which measures what
     * a base pretrained on documents of several pairs can do once the task is known.
     */
    public static Result measure(DecoderModel base, TextTokenizer tokenizer, SuiteData suite, int prefixChars,
                                 int demos, int perTask, int batchSize) {
        if (demos < 0) {
            throw new IllegalArgumentException("demos must be non-negative, got " + demos);
        }
        ChatTemplate template = Prompting.templateFor(base.config(), tokenizer);
        int eos = tokenizer.eosId().orElseThrow(() -> new IllegalArgumentException("tokenizer has no EOS token"));
        List<String> tasks = new ArrayList<>(suite.seenTasks());
        tasks.addAll(suite.heldOutTasks());
        List<String> taskOf = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        int maxTokens = 1;
        for (String task : tasks) {
            List<TrainingExample> pool = suite.testOf(task, perTask + demos);
            for (int j = 0; j < Math.min(perTask, pool.size()); j++) {
                TrainingExample e = pool.get(j);
                String context = demonstrations(pool, j, demos);
                int k = Math.max(0, Math.min(prefixChars, e.response().length() - 1));
                taskOf.add(task);
                rest.add(e.response().substring(k));
                String prompt = template.render(null, context + e.prompt()) + e.response().substring(0, k);
                prompts.add(tokenizer.encode(prompt, false));
                maxTokens = Math.max(maxTokens, e.response().length() - k + 2);
            }
        }
        BatchDecoder decoder = new BatchDecoder(base, null, tokenizer);
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (int i = 0; i < prompts.size(); i += batchSize) {
            List<GenerationRequest> batch = new ArrayList<>();
            for (int[] prompt : prompts.subList(i, Math.min(prompts.size(), i + batchSize))) {
                batch.add(new GenerationRequest(prompt, null, SamplingParams.greedy(), maxTokens, Set.of(eos),
                        template.stopStrings()));
            }
            List<GenerationResult> out = decoder.generate(batch, TokenListener.NONE);
            for (int j = 0; j < out.size(); j++) {
                int[] c = counts.computeIfAbsent(taskOf.get(i + j), t -> new int[2]);
                c[0] += ExactMatch.answerIn(out.get(j).text()).equals(rest.get(i + j)) ? 1 : 0;
                c[1]++;
            }
        }
        return new Result(prefixChars, counts);
    }

    /**
     * The solved examples written before item {@code j} of a task's {@code pool}: the {@code demos} items after it,
     * cyclically, as {@code "input\noutput\n"} each; never item {@code j} itself, so fewer when the pool is small.
     */
    static String demonstrations(List<TrainingExample> pool, int j, int demos) {
        StringBuilder context = new StringBuilder();
        for (int d = 0; d < demos && d < pool.size() - 1; d++) {
            TrainingExample demo = pool.get((j + 1 + d) % pool.size());
            context.append(demo.prompt()).append('\n').append(demo.response()).append('\n');
        }
        return context.toString();
    }
}
