package dev.zhyper.core.embed;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.OnnxEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Any ONNX sentence-transformer exported to a directory ({@code model.onnx} or {@code onnx/model.onnx}, plus
 * {@code tokenizer.json}), e.g. gte-large-en-v1.5 as in the paper (CLS pooling) or all-MiniLM-L6-v2 (mean
 * pooling). Runs in-process through ONNX Runtime; output L2-normalised and scaled by √dim like the packaged encoder.
 */
public final class OnnxDirEmbedder implements Embedder {
    private final OnnxEmbeddingModel model;
    private final String id;
    private final int dim;

    public OnnxDirEmbedder(Path dir, PoolingMode pooling) {
        Path onnx = Files.isRegularFile(dir.resolve("model.onnx")) ? dir.resolve("model.onnx")
                : dir.resolve("onnx").resolve("model.onnx");
        Path tokenizer = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(onnx) || !Files.isRegularFile(tokenizer)) {
            throw new IllegalArgumentException(dir + ": an ONNX sentence-transformer directory needs model.onnx "
                    + "(or onnx/model.onnx) and tokenizer.json");
        }
        this.model = new OnnxEmbeddingModel(onnx, tokenizer, pooling);
        this.id = "onnx:" + dir.toAbsolutePath().normalize().getFileName() + ":" + pooling.name().toLowerCase();
        this.dim = model.embed("probe").content().vector().length;
    }

    @Override
    public String id() { return id; }

    @Override
    public int dim() { return dim; }

    @Override
    public float[][] embed(List<String> texts) {
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (String t : texts) {
            if (t == null || t.isBlank()) {
                throw new IllegalArgumentException("cannot embed a blank text");
            }
            segments.add(TextSegment.from(t));
        }
        List<Embedding> out = model.embedAll(segments).content();
        float[][] result = new float[out.size()][];
        for (int i = 0; i < result.length; i++) {
            result[i] = Vectors.normalizeScaled(out.get(i).vector());
        }
        return result;
    }
}
