package dev.zhyper.core.generate;

/** What one row produced. */
public record GenerationResult(String text, int[] tokens, int promptTokens, FinishReason finishReason) {
    /** STOP: a stop token or string; LENGTH: max tokens; CANCELLED: the caller cancelled (or its deadline passed). */
    public enum FinishReason { STOP, LENGTH, CANCELLED }
}
