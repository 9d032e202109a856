package dev.zhyper.core.embed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.zhyper.core.model.DecoderInput;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.nn.NoGrad;
import dev.zhyper.core.text.TextTokenizer;

import java.util.List;

/**
 * Description embeddings from the base model itself: the mean of its final-normed hidden states over the
 * description's tokens, L2-normalised and scaled by √hidden. Needs no second model, at the cost of one forward
 * pass of the base per description.
 */
public final class BaseModelEmbedder implements Embedder {
    private final DecoderModel model;
    private final TextTokenizer tokenizer;
    private final String id;
    private final boolean owns;

    /** Uses a model owned by the caller. */
    public BaseModelEmbedder(DecoderModel model, TextTokenizer tokenizer, String name) {
        this(model, tokenizer, name, false);
    }

    /** @param owns whether {@link #close()} also closes the model and the tokenizer */
    public BaseModelEmbedder(DecoderModel model, TextTokenizer tokenizer, String name, boolean owns) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.id = "base-mean:" + name;
        this.owns = owns;
    }

    @Override
    public void close() {
        if (owns) {
            tokenizer.close();
            model.close();
        }
    }

    @Override
    public String id() { return id; }

    @Override
    public int dim() { return model.config().hiddenSize(); }

    @Override
    public float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        try (NoGrad ignored = new NoGrad()) {
            for (int i = 0; i < out.length; i++) {
                String t = texts.get(i);
                if (t == null || t.isBlank()) {
                    throw new IllegalArgumentException("cannot embed a blank text");
                }
                int[] ids = tokenizer.encode(t, false);
                try (NDManager m = model.manager().newSubManager()) {
                    NDArray h = model.hiddenStates(m, DecoderInput.single(ids), null, null,
                            DecoderModel.ForwardOptions.FULL);
                    out[i] = Vectors.normalizeScaled(h.mean(new int[] {1}).toType(DataType.FLOAT32, false)
                            .toFloatArray());
                }
            }
        }
        return out;
    }
}
