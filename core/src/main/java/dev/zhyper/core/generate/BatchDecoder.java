package dev.zhyper.core.generate;

import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.text.TextTokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Batched autoregressive decoding of a fixed set of requests: one {@link DecodeSession} with every request added
 * up front, stepped until all rows are done. Every row carries its own context modulation (or none: z = 0 is exactly
 * the base model), so requests with different descriptions share every decode GEMM; a row that finishes leaves the
 * batch at once. Each call owns its session (and so its NDManagers and KV cache), closed at the end.
 */
public final class BatchDecoder {
    private final DecoderModel base;
    private final ZhyperAdapter adapter;
    private final TextTokenizer tokenizer;

    /** @param adapter the trained adapter, or null to serve the base model only */
    public BatchDecoder(DecoderModel base, ZhyperAdapter adapter, TextTokenizer tokenizer) {
        this.base = base;
        this.adapter = adapter;
        this.tokenizer = tokenizer;
    }

    /** A new decode session over this decoder's model (the caller steps and closes it). */
    public DecodeSession session(int prefillBudget) {
        return new DecodeSession(base, adapter, tokenizer, prefillBudget);
    }

    public List<GenerationResult> generate(List<GenerationRequest> requests, TokenListener listener) {
        if (requests.isEmpty()) {
            return List.of();
        }
        try (DecodeSession session = session(Integer.MAX_VALUE)) {
            List<DecodeSession.Row> rows = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                int row = i;
                try {
                    rows.add(session.add(requests.get(i), new DecodeSession.RowListener() {
                        @Override public void onText(String delta) { listener.onText(row, delta); }
                        @Override public void onFinish(GenerationResult result) { }
                    }));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("row " + i + ": " + e.getMessage(), e);
                }
            }
            while (!session.isEmpty()) {
                session.step();
            }
            List<GenerationResult> out = new ArrayList<>();
            for (DecodeSession.Row r : rows) {
                out.add(r.result());
            }
            return out;
        }
    }
}
