package dev.zhyper.core.embed;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The Zhyper-OHE baseline: each task is identified by an exact label and embedded as a one-hot
 * vector over the ordered label list. The hot component is {@code sqrt(dim)} rather than 1, so the
 * vectors obey the same convention as {@link MiniLmEmbedder} (norm {@code sqrt(dim)}, mean square
 * 1 per component) and the hypernetwork input scale does not depend on the embedder.
 *
 * <p>Labels match exactly (case- and whitespace-sensitive). The id is
 * {@code "one-hot-<n>-<first 12 hex of sha256 over the labels>"}, so different label lists never
 * share cache entries. Immutable and thread-safe.
 */
public final class OneHotEmbedder implements Embedder {

    private final List<String> labels;
    private final Map<String, Integer> index;
    private final String id;
    private final float hot;

    /** @param labels distinct, non-null labels; position = hot component */
    public OneHotEmbedder(List<String> labels) {
        if (labels.isEmpty()) throw new IllegalArgumentException("at least one label is required");
        this.labels = List.copyOf(labels);
        this.index = new HashMap<>();
        for (int i = 0; i < this.labels.size(); i++) {
            if (index.putIfAbsent(this.labels.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate label '" + this.labels.get(i) + "' at index " + i);
            }
        }
        this.hot = (float) Math.sqrt(this.labels.size());
        this.id = "one-hot-" + this.labels.size() + "-" + labelsHash(this.labels);
    }

    public List<String> labels() {
        return labels;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int dim() {
        return labels.size();
    }

    /** @throws IllegalArgumentException for a text that is not one of the labels */
    @Override
    public float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            String t = texts.get(i);
            Integer k = index.get(t);
            if (k == null) {
                throw new IllegalArgumentException("unknown label '" + t + "' (" + labels.size() + " labels known)");
            }
            out[i] = new float[labels.size()];
            out[i][k] = hot;
        }
        return out;
    }

    private static String labelsHash(List<String> labels) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String l : labels) {
                byte[] b = l.getBytes(StandardCharsets.UTF_8);
                md.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
                md.update((byte) ':');
                md.update(b);
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
