package dev.zhyper.core.embed;

import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.text.TextTokenizer;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Builds an embedder from a one-line spec (the embedder service's {@code zhyper.embedder.model}):
 * <ul>
 *   <li>{@code minilm}: the packaged all-MiniLM-L6-v2 (default);</li>
 *   <li>{@code bge-small}, {@code e5-small}: bge-small-en-v1.5 and e5-small-v2 from Maven Central jars
 *       ({@link PackagedEmbedder}, optional dependencies);</li>
 *   <li>{@code onnx:DIR} or {@code onnx:DIR:cls|mean}: an ONNX sentence-transformer directory (default pooling
 *       CLS, as gte-large-en-v1.5 in the paper);</li>
 *   <li>{@code base:MODEL_DIR}: mean-pooled hidden states of a HF decoder (e.g. the base model).</li>
 * </ul>
 */
public final class Embedders {
    private Embedders() {}

    public static Embedder fromSpec(String spec) {
        String s = spec.trim();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.equals("minilm") || lower.equals(MiniLmEmbedder.ID.toLowerCase(Locale.ROOT))) {
            return new MiniLmEmbedder();
        }
        PackagedEmbedder.Model packaged = PackagedEmbedder.Model.byName(lower);
        if (packaged != null) {
            return PackagedEmbedder.load(packaged);
        }
        if (lower.startsWith("onnx:")) {
            String rest = s.substring(5);
            PoolingMode pooling = PoolingMode.CLS;
            int colon = rest.lastIndexOf(':');
            if (colon > 0) {
                String p = rest.substring(colon + 1).toLowerCase(Locale.ROOT);
                if (p.equals("cls") || p.equals("mean")) {
                    pooling = p.equals("cls") ? PoolingMode.CLS : PoolingMode.MEAN;
                    rest = rest.substring(0, colon);
                }
            }
            return new OnnxDirEmbedder(Path.of(rest), pooling);
        }
        if (lower.startsWith("base:")) {
            Path dir = Path.of(s.substring(5));
            DecoderModel model = DecoderModel.load(dir, ModelOptions.cpuFloat32());
            TextTokenizer tok = TextTokenizer.load(dir);
            return new BaseModelEmbedder(model, tok, dir.toAbsolutePath().normalize().getFileName().toString(), true);
        }
        throw new IllegalArgumentException("unknown embedder '" + spec + "' (minilm, bge-small, e5-small, onnx:DIR[:cls|mean], base:MODEL_DIR)");
    }
}
