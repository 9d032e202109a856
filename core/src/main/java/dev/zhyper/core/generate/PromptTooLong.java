package dev.zhyper.core.generate;

/**
 * A request that does not fit the model: its prompt plus the new tokens it may generate need more positions than the
 * model has. {@link #check} is the one place that decides it (the decode session, the serving request path, the
 * accuracy benchmarks and the speed bench all call it); callers that answer clients map the type, never the message.
 */
public final class PromptTooLong extends IllegalArgumentException {

    private final int promptTokens;
    private final int maxTokens;
    private final int positions;

    private PromptTooLong(int promptTokens, int maxTokens, int positions) {
        super("prompt (" + promptTokens + " tokens) + max_tokens (" + maxTokens + ") exceed the model's " + positions
                + " positions");
        this.promptTokens = promptTokens;
        this.maxTokens = maxTokens;
        this.positions = positions;
    }

    /**
     * Refuses a prompt of {@code promptTokens} tokens with up to {@code maxTokens} new tokens on a model of
     * {@code positions} positions when they do not fit: {@code promptTokens + maxTokens > positions}.
     */
    public static void check(int promptTokens, int maxTokens, int positions) {
        if ((long) promptTokens + maxTokens > positions) {
            throw new PromptTooLong(promptTokens, maxTokens, positions);
        }
    }

    public int promptTokens() { return promptTokens; }

    public int maxTokens() { return maxTokens; }

    /** The model's positions (max_position_embeddings). */
    public int positions() { return positions; }
}
