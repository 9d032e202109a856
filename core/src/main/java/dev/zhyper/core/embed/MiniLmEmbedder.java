package dev.zhyper.core.embed;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;

import java.util.List;

/**
 * Sentence embeddings from all-MiniLM-L6-v2 (384 dims), run in-process and offline through
 * langchain4j's {@link AllMiniLmL6V2EmbeddingModel} (ONNX Runtime; the model and its WordPiece
 * tokenizer ship inside the langchain4j jar). Inputs longer than the model's 256-token window are
 * split and averaged by langchain4j.
 *
 * <p>Output: langchain4j already mean-pools and L2-normalises; this class normalises again (cheap,
 * and independent of that implementation detail) and scales by {@code sqrt(384)}, the Zhyper
 * convention for description embeddings, so every vector has norm {@code sqrt(384) ≈ 19.6}.
 *
 * <p>All instances share one lazily created, thread-safe model (the ONNX session supports
 * concurrent runs); {@link #close()} does not release it. Blank texts are rejected.
 */
public final class MiniLmEmbedder implements Embedder {

    public static final String ID = "all-MiniLM-L6-v2";
    public static final int DIM = 384;

    private static final class Holder {
        static final AllMiniLmL6V2EmbeddingModel MODEL = new AllMiniLmL6V2EmbeddingModel();
    }

    public MiniLmEmbedder() {
        Holder.MODEL.dimension(); // load eagerly so failures surface at construction
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int dim() {
        return DIM;
    }

    @Override
    public float[][] embed(List<String> texts) {
        return SentenceEncoders.embed(Holder.MODEL, ID, DIM, texts);
    }
}
