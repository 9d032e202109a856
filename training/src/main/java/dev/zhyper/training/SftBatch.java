package dev.zhyper.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.zhyper.core.model.DecoderInput;
import dev.zhyper.core.nn.Casts;
import dev.zhyper.core.nn.Tensors;
import dev.zhyper.core.text.ChatTemplate;
import dev.zhyper.core.text.TextTokenizer;

import java.util.List;

/**
 * A tokenised, right-padded batch for completion-only SFT: the prompt (rendered with the chat template) is
 * context only; the response and the end-of-sequence token are scored. Position t predicts token t+1; each
 * row's scored positions weigh 1/(n_i·B) so the loss is the mean over a sample's response tokens, then over
 * the batch.
 */
public record SftBatch(DecoderInput input, int[][] targets, float[][] weights, int scoredTokens) {

    /** Tokenises (system, prompt, response) triples. {@code system} may be null (Zhyper conditions through z). */
    public static SftBatch encode(TextTokenizer tok, ChatTemplate template, List<String[]> rows, int maxLength) {
        int eos = tok.eosId().orElseThrow(() -> new IllegalArgumentException("tokenizer has no end-of-sequence token"));
        int pad = tok.padId().orElse(eos);
        int b = rows.size();
        int[][] seqs = new int[b][];
        int[] promptLen = new int[b];
        for (int i = 0; i < b; i++) {
            String[] r = rows.get(i);
            int[] p = tok.encode(template.render(r[0], r[1]), false);
            int[] a = tok.encode(r[2], false);
            int[] s = new int[p.length + a.length + 1];
            System.arraycopy(p, 0, s, 0, p.length);
            System.arraycopy(a, 0, s, p.length, a.length);
            s[s.length - 1] = eos;
            if (s.length > maxLength) {
                if (p.length >= maxLength - 1) {
                    throw new IllegalArgumentException("prompt of " + p.length + " tokens does not fit max length "
                            + maxLength);
                }
                s = java.util.Arrays.copyOf(s, maxLength);
            }
            seqs[i] = s;
            promptLen[i] = p.length;
        }
        DecoderInput input = DecoderInput.rightPadded(seqs, pad);
        int t = input.length();
        int[][] targets = new int[b][t];
        float[][] weights = new float[b][t];
        int scored = 0;
        for (int i = 0; i < b; i++) {
            int n = seqs[i].length - promptLen[i];
            for (int j = 0; j + 1 < seqs[i].length; j++) {
                targets[i][j] = seqs[i][j + 1];
                if (j + 1 >= promptLen[i]) {
                    weights[i][j] = 1f / (n * b);
                }
            }
            scored += n;
        }
        return new SftBatch(input, targets, weights, scored);
    }

    /**
     * Cross-entropy with label smoothing ε (PyTorch semantics): per token (1−ε)·(−log p_y) + ε·mean_v(−log p_v),
     * weighted by {@link #weights()}; a scalar.
     */
    public NDArray loss(NDManager m, NDArray logits, double smoothing) {
        int b = targets.length;
        int t = targets[0].length;
        long[] tg = new long[b * t];
        float[] w = new float[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                tg[i * t + j] = targets[i][j];
                w[i * t + j] = weights[i][j];
            }
        }
        NDArray logp = Casts.to(logits, DataType.FLOAT32).logSoftmax(-1);              // [B, T, V]
        NDArray nll = logp.gather(Tensors.create(m, tg, new Shape(b, t, 1)), 2).squeeze(2).neg();   // [B, T]
        NDArray tokenLoss = Tensors.muli(nll, 1 - smoothing);
        if (smoothing > 0) {
            tokenLoss = tokenLoss.addi(Tensors.muli(logp.mean(new int[] {-1}).neg(), smoothing));
        }
        return tokenLoss.muli(Tensors.create(m, w, new Shape(b, t))).sum();
    }
}
