package dev.zhyper.core.embed;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;

import java.util.ArrayList;
import java.util.List;

/** The one way a packaged langchain4j sentence encoder embeds texts here: blank texts refused, L2-normalised × √d. */
final class SentenceEncoders {

    private SentenceEncoders() {
    }

    static float[][] embed(EmbeddingModel model, String id, int dim, List<String> texts) {
        if (texts.isEmpty()) return new float[0][];
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            if (t == null || t.isBlank()) {
                throw new IllegalArgumentException("cannot embed a blank text (index " + i + ")");
            }
            segments.add(TextSegment.from(t));
        }
        List<Embedding> out = model.embedAll(segments).content();
        if (out.size() != texts.size()) {
            throw new IllegalStateException("model returned " + out.size() + " embeddings for " + texts.size() + " texts");
        }
        float[][] result = new float[out.size()][];
        for (int i = 0; i < result.length; i++) {
            float[] v = out.get(i).vector();
            if (v.length != dim) {
                throw new IllegalStateException(id + ": expected dim " + dim + ", got " + v.length);
            }
            result[i] = Vectors.normalizeScaled(v);
        }
        return result;
    }
}
