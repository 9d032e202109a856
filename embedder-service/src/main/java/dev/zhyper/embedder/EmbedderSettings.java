package dev.zhyper.embedder;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code zhyper.embedder.*} settings (documented in application.properties). A @Singleton with @ConfigProperty fields,
 * as every service's settings (docs/adr/0017-one-service-skeleton-and-config-style.md).
 */
@Singleton
public class EmbedderSettings {

    /** Longest accepted text, in characters (Java chars). */
    @ConfigProperty(name = "zhyper.embedder.max-text-chars", defaultValue = "8192")
    int maxTextChars;

    /** Most texts in one Embed call. */
    @ConfigProperty(name = "zhyper.embedder.max-batch", defaultValue = "256")
    int maxBatch;

    /** The encoder: minilm, onnx:DIR[:cls|mean] or base:MODEL_DIR (see core's Embedders). */
    @ConfigProperty(name = "zhyper.embedder.model", defaultValue = "minilm")
    String model;

    public int maxTextChars() { return maxTextChars; }
    public int maxBatch() { return maxBatch; }
    public String model() { return model; }
}
