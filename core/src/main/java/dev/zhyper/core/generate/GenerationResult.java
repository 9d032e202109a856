package dev.zhyper.core.generate;

/** What one row produced. */
public record GenerationResult(String text, int[] tokens, int promptTokens, FinishReason finishReason) {
    public enum FinishReason { STOP, LENGTH }
}
