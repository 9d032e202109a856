package dev.zhyper.embedder;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code zhyper.embedder.*} settings (documented in application.properties). */
@ConfigMapping(prefix = "zhyper.embedder")
public interface EmbedderConfig {

    /** Longest accepted text, in characters (Java chars). */
    @WithDefault("8192")
    int maxTextChars();

    /** Most texts in one Embed call. */
    @WithDefault("256")
    int maxBatch();

    /** The encoder: minilm, onnx:DIR[:cls|mean] or base:MODEL_DIR (see core's Embedders). */
    @WithDefault("minilm")
    String model();
}
