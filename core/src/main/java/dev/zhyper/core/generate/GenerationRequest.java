package dev.zhyper.core.generate;

import dev.zhyper.core.adapter.ContextModulation;

import java.util.List;
import java.util.Set;

/**
 * One row of a generation batch.
 *
 * @param prompt      the prompt's token ids (already rendered with the chat template)
 * @param modulation  the context's modulation, or null for the base model (z = 0)
 * @param stopTokens  token ids that end the answer (not included in the text)
 * @param stopStrings strings that end the answer (the text is cut before them)
 */
public record GenerationRequest(int[] prompt, ContextModulation modulation, SamplingParams sampling, int maxTokens,
                                Set<Integer> stopTokens, List<String> stopStrings) {
    public GenerationRequest {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max tokens must be at least 1, got " + maxTokens);
        }
        stopTokens = Set.copyOf(stopTokens);
        stopStrings = List.copyOf(stopStrings);
    }
}
