package dev.zhyper.core.model;

/**
 * One forward step of a batch: token ids [B][T], their positions [B][T], and which keys are real (not padding)
 * over the whole attended sequence [B][S] where S = cached length + T.
 */
public record DecoderInput(int[][] tokens, int[][] positions, boolean[][] keyValid) {

    public DecoderInput {
        int b = tokens.length;
        if (b == 0 || positions.length != b || keyValid.length != b) {
            throw new IllegalArgumentException("tokens, positions and keyValid must have the same non-zero batch size");
        }
        int t = tokens[0].length;
        int s = keyValid[0].length;
        for (int i = 0; i < b; i++) {
            if (tokens[i].length != t || positions[i].length != t || keyValid[i].length != s) {
                throw new IllegalArgumentException("ragged batch at row " + i);
            }
        }
        if (s < t) {
            throw new IllegalArgumentException("keyValid covers " + s + " keys, fewer than the " + t + " new tokens");
        }
    }

    public int batchSize() { return tokens.length; }

    public int length() { return tokens[0].length; }

    public int keyLength() { return keyValid[0].length; }

    /** A single unpadded sequence at positions 0..T-1. */
    public static DecoderInput single(int[] tokens) {
        int[] pos = new int[tokens.length];
        boolean[] valid = new boolean[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            pos[i] = i;
            valid[i] = true;
        }
        return new DecoderInput(new int[][] {tokens}, new int[][] {pos}, new boolean[][] {valid});
    }

    /**
     * Right-padded batch (training layout): row i holds its tokens from position 0, padded with {@code pad}.
     */
    public static DecoderInput rightPadded(int[][] rows, int pad) {
        int t = 0;
        for (int[] r : rows) {
            t = Math.max(t, r.length);
        }
        int[][] tok = new int[rows.length][t];
        int[][] pos = new int[rows.length][t];
        boolean[][] valid = new boolean[rows.length][t];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < t; j++) {
                boolean real = j < rows[i].length;
                tok[i][j] = real ? rows[i][j] : pad;
                pos[i][j] = j;
                valid[i][j] = real;
            }
        }
        return new DecoderInput(tok, pos, valid);
    }

    /**
     * Left-padded batch (generation layout): the last token of every row is aligned, so decoding steps advance
     * all rows together. Positions count real tokens only.
     */
    public static DecoderInput leftPadded(int[][] rows, int pad) {
        int t = 0;
        for (int[] r : rows) {
            t = Math.max(t, r.length);
        }
        int[][] tok = new int[rows.length][t];
        int[][] pos = new int[rows.length][t];
        boolean[][] valid = new boolean[rows.length][t];
        for (int i = 0; i < rows.length; i++) {
            int offset = t - rows[i].length;
            for (int j = 0; j < t; j++) {
                boolean real = j >= offset;
                tok[i][j] = real ? rows[i][j - offset] : pad;
                pos[i][j] = real ? j - offset : 0;
                valid[i][j] = real;
            }
        }
        return new DecoderInput(tok, pos, valid);
    }
}
