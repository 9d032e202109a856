package dev.zhyper.core.generate;

/** Receives generated text as it is produced (for streaming). */
@FunctionalInterface
public interface TokenListener {
    void onText(int row, String delta);

    TokenListener NONE = (row, delta) -> { };
}
