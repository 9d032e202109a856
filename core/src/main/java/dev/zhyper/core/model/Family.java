package dev.zhyper.core.model;

import java.util.Locale;
import java.util.Optional;

/** Supported decoder families. Their differences live in {@link ModelConfig}'s derived traits. */
public enum Family {
    LLAMA("llama", false),
    MISTRAL("mistral", false),
    QWEN2("qwen2", true),
    GEMMA2("gemma2", true);

    private final String modelType;
    private final boolean tiesByDefault;

    Family(String modelType, boolean tiesByDefault) {
        this.modelType = modelType;
        this.tiesByDefault = tiesByDefault;
    }

    public String modelType() { return modelType; }

    boolean tiesEmbeddingsByDefault() { return tiesByDefault; }

    public static Optional<Family> fromModelType(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        for (Family f : values()) {
            if (f.modelType.equals(t)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
