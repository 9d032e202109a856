package dev.zhyper.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.model.DecoderInput;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.model.KvCache;
import dev.zhyper.core.model.ProjectionDelta;
import dev.zhyper.core.nn.NoGrad;
import dev.zhyper.core.text.StreamDecoder;
import dev.zhyper.core.text.TextTokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Batched autoregressive decoding with a KV cache. Rows are left-padded so they advance together; every row
 * carries its own context modulation (or none: z = 0 is exactly the base model), so requests with different
 * descriptions share every GEMM. Each call owns one NDManager for its cache and intermediates, closed at the end.
 */
public final class Generator {
    private final DecoderModel base;
    private final ZhyperAdapter adapter;
    private final TextTokenizer tokenizer;

    /** @param adapter the trained adapter, or null to serve the base model only */
    public Generator(DecoderModel base, ZhyperAdapter adapter, TextTokenizer tokenizer) {
        this.base = base;
        this.adapter = adapter;
        this.tokenizer = tokenizer;
    }

    public List<GenerationResult> generate(List<GenerationRequest> requests, TokenListener listener) {
        int b = requests.size();
        if (b == 0) {
            return List.of();
        }
        int pad = tokenizer.padId().orElse(tokenizer.eosId().orElse(0));
        int[][] prompts = new int[b][];
        int maxNew = 0;
        int maxPrompt = 0;
        List<ContextModulation> rows = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            GenerationRequest r = requests.get(i);
            prompts[i] = r.prompt();
            maxNew = Math.max(maxNew, r.maxTokens());
            maxPrompt = Math.max(maxPrompt, r.prompt().length);
            ContextModulation c = r.modulation();
            if (c == null && adapter != null) {
                c = ContextModulation.zeros(adapter.spec().method(), adapter.sites(), adapter.widths());
            }
            if (c != null && adapter == null) {
                throw new IllegalArgumentException("row " + i + " has a context but no adapter is loaded");
            }
            rows.add(c);
        }
        if (maxPrompt + maxNew > base.config().maxPositions()) {
            throw new IllegalArgumentException("prompt (" + maxPrompt + ") + max tokens (" + maxNew
                    + ") exceed the model's " + base.config().maxPositions() + " positions");
        }
        TokenSampler[] samplers = new TokenSampler[b];
        StreamDecoder[] decoders = new StreamDecoder[b];
        List<List<Integer>> out = new ArrayList<>();
        StringBuilder[] text = new StringBuilder[b];
        int[] streamed = new int[b];
        GenerationResult.FinishReason[] finish = new GenerationResult.FinishReason[b];
        boolean allGreedy = true;
        for (int i = 0; i < b; i++) {
            samplers[i] = new TokenSampler(requests.get(i).sampling());
            decoders[i] = tokenizer.streamDecoder(true);
            out.add(new ArrayList<>());
            text[i] = new StringBuilder();
            allGreedy &= requests.get(i).sampling().isGreedy();
        }
        int vocab = base.config().vocabSize();
        try (NoGrad ignored = new NoGrad(); NDManager m = base.manager().newSubManager();
             KvCache cache = new KvCache(m, base.config().numLayers())) {
            ProjectionDelta delta = adapter == null ? null : adapter.forRows(m, rows);
            DecoderInput input = DecoderInput.leftPadded(prompts, pad);
            boolean[][] valid = input.keyValid();
            int[] nextPos = new int[b];
            for (int i = 0; i < b; i++) {
                nextPos[i] = prompts[i].length;
            }
            int active = b;
            for (int step = 0; step < maxNew && active > 0; step++) {
                int[] next = new int[b];
                try (NDManager stepManager = m.newSubManager()) {
                    NDArray logits = base.forward(stepManager, input, cache, delta, DecoderModel.ForwardOptions.LAST);
                    if (allGreedy) {
                        long[] arg = logits.argMax(-1).toLongArray();
                        for (int i = 0; i < b; i++) {
                            next[i] = (int) arg[i];
                        }
                    } else {
                        float[] flat = logits.toFloatArray();
                        for (int i = 0; i < b; i++) {
                            next[i] = finish[i] == null ? samplers[i].next(flat, i * vocab, vocab) : pad;
                        }
                    }
                }
                for (int i = 0; i < b; i++) {
                    if (finish[i] != null) {
                        next[i] = pad;
                        continue;
                    }
                    GenerationRequest r = requests.get(i);
                    if (r.stopTokens().contains(next[i])) {
                        finish[i] = GenerationResult.FinishReason.STOP;
                        active--;
                        continue;
                    }
                    out.get(i).add(next[i]);
                    int before = text[i].length();
                    text[i].append(decoders[i].push(next[i]));
                    int cut = stopIndex(text[i], r.stopStrings(), before);
                    if (cut >= 0) {
                        text[i].setLength(cut);
                        finish[i] = GenerationResult.FinishReason.STOP;
                        active--;
                        streamed[i] = deliver(listener, i, text[i], streamed[i], text[i].length());
                        continue;
                    }
                    // hold back a tail that could still become a stop string
                    int safe = text[i].length() - pendingStopPrefix(text[i], r.stopStrings());
                    streamed[i] = deliver(listener, i, text[i], streamed[i], safe);
                    if (out.get(i).size() >= r.maxTokens()) {
                        finish[i] = GenerationResult.FinishReason.LENGTH;
                        active--;
                        text[i].append(decoders[i].flush());
                        streamed[i] = deliver(listener, i, text[i], streamed[i], text[i].length());
                    }
                }
                if (active == 0 || step == maxNew - 1) {
                    break;
                }
                boolean[][] v = new boolean[b][valid[0].length + 1];
                int[][] tok = new int[b][1];
                int[][] pos = new int[b][1];
                for (int i = 0; i < b; i++) {
                    System.arraycopy(valid[i], 0, v[i], 0, valid[i].length);
                    v[i][valid[i].length] = true;
                    tok[i][0] = next[i];
                    pos[i][0] = nextPos[i]++;
                }
                valid = v;
                input = new DecoderInput(tok, pos, valid);
            }
        }
        List<GenerationResult> results = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            if (finish[i] == null) {
                text[i].append(decoders[i].flush());
                deliver(listener, i, text[i], streamed[i], text[i].length());
            }
            int[] toks = out.get(i).stream().mapToInt(Integer::intValue).toArray();
            results.add(new GenerationResult(text[i].toString(), toks, prompts[i].length,
                    finish[i] == null ? GenerationResult.FinishReason.LENGTH : finish[i]));
        }
        return results;
    }

    private static int deliver(TokenListener listener, int row, StringBuilder text, int from, int to) {
        if (to > from) {
            listener.onText(row, text.substring(from, to));
            return to;
        }
        return from;
    }

    /** Length of the longest suffix of text that is a proper prefix of a stop string. */
    private static int pendingStopPrefix(StringBuilder text, List<String> stops) {
        int best = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, text.length()); k > best; k--) {
                if (text.substring(text.length() - k).equals(s.substring(0, k))) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }

    /** Index where the first stop string starts (searching only near newly appended text), or -1. */
    private static int stopIndex(StringBuilder text, List<String> stops, int appendedFrom) {
        int best = -1;
        for (String s : stops) {
            if (s.isEmpty()) {
                continue;
            }
            int from = Math.max(0, appendedFrom - s.length() + 1);
            int at = text.indexOf(s, from);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }
}
