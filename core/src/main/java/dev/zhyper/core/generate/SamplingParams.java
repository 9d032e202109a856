package dev.zhyper.core.generate;

/**
 * How the next token is chosen: temperature 0 is greedy; otherwise softmax(logits / T) restricted to the top-k
 * tokens (k = 0: all) and to the smallest set whose probability reaches top-p (1: all), drawn with a seeded
 * generator so a request is reproducible.
 */
public record SamplingParams(float temperature, int topK, float topP, long seed) {

    public SamplingParams {
        if (!(temperature >= 0) || temperature > 100) {
            throw new IllegalArgumentException("temperature must be in [0, 100], got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        }
        if (!(topP > 0) || topP > 1) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
    }

    public static SamplingParams greedy() { return new SamplingParams(0f, 0, 1f, 0); }

    public boolean isGreedy() { return temperature == 0f; }
}
