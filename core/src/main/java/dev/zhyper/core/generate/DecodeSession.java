package dev.zhyper.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.model.DecoderInput;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.model.KvCache;
import dev.zhyper.core.model.ProjectionDelta;
import dev.zhyper.core.nn.IntraOpThreads;
import dev.zhyper.core.nn.NoGrad;
import dev.zhyper.core.text.StreamDecoder;
import dev.zhyper.core.text.TextTokenizer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The decode loop, once: a running set of rows that advance one token per {@link #step()}, each with its own
 * context modulation z, sampler, stop strings and KV-cache rows. Rows can be {@link #add}ed at any time: a new row is
 * prefilled alone in chunks (at most {@code prefillBudget} prompt tokens per step, so decoding rows are not starved)
 * and joins the batch between steps; a row that finishes, or is {@link Row#cancel cancelled}, leaves at once and
 * its cache rows are freed. Rows are right-aligned in the shared cache (every row's newest key in the last column,
 * shorter rows left-padded and masked), so a step is one forward over [rows, 1] tokens; position ids are per row, so
 * a row's tokens do not depend on its neighbours (greedy: exactly the tokens it produces alone).
 *
 * <p>{@link BatchDecoder} (a fixed batch), the generator service's scheduler (continuous batching) and the speed bench
 * all drive this type. Not thread-safe: one thread steps a session; only {@link Row#cancel} may be called from others.
 * Close it to free its arrays.
 */
public final class DecodeSession implements AutoCloseable {

    /** Receives a row's text as it is decoded and its result once (finished, stopped or cancelled). */
    public interface RowListener {
        void onText(String delta);

        void onFinish(GenerationResult result);

        RowListener NONE = new RowListener() {
            @Override public void onText(String delta) { }
            @Override public void onFinish(GenerationResult result) { }
        };
    }

    /** One request being decoded. */
    public final class Row {
        private final GenerationRequest request;
        private final RowListener listener;
        private final ContextModulation z;
        private final TokenSampler sampler;
        private final StreamDecoder decoder;
        private final StopMatcher stops;
        private final List<Integer> out = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();
        private int streamed;
        private KvCache prefillCache;
        private NDManager prefillManager;
        private int prefilled;
        private int nextToken;
        private int cached;
        private volatile boolean cancelled;
        private GenerationResult result;

        private Row(GenerationRequest request, RowListener listener, ContextModulation z) {
            this.request = request;
            this.listener = listener;
            this.z = z;
            this.sampler = new TokenSampler(request.sampling());
            this.decoder = tokenizer == null ? null : tokenizer.streamDecoder(true);
            this.stops = new StopMatcher(request.stopStrings());
        }

        /** Cancels the row (any thread): it leaves the session at the next step with finish reason CANCELLED. */
        public void cancel() { cancelled = true; }

        public GenerationRequest request() { return request; }

        /** Tokens generated so far. */
        public int generated() { return out.size(); }

        /** The result once the row left the session, else null. */
        public GenerationResult result() { return result; }
    }

    private final DecoderModel base;
    private final ZhyperAdapter adapter;
    private final TextTokenizer tokenizer;
    private final int prefillBudget;
    private final NDManager manager;
    private final List<Row> prefilling = new ArrayList<>();
    private final List<Row> running = new ArrayList<>();
    private KvCache cache;
    private NDManager deltaManager;
    private ProjectionDelta delta;
    private final int vocab;
    private final int pad;
    private long decodeSteps;
    private long rowSteps;
    private long prefillTokens;
    private long prefillNanos;
    private long decodeNanos;

    /**
     * @param adapter       the trained adapter, or null for the base model only
     * @param tokenizer     decodes the rows' text; null: tokens only (no text, no stop strings; the speed bench)
     * @param prefillBudget most prompt tokens prefilled per step (>= 1)
     */
    public DecodeSession(DecoderModel base, ZhyperAdapter adapter, TextTokenizer tokenizer, int prefillBudget) {
        if (prefillBudget < 1) {
            throw new IllegalArgumentException("prefill budget must be >= 1, got " + prefillBudget);
        }
        this.base = base;
        this.adapter = adapter;
        this.tokenizer = tokenizer;
        this.prefillBudget = prefillBudget;
        this.manager = base.manager().newSubManager();
        this.vocab = base.config().vocabSize();
        this.pad = tokenizer == null ? 0 : tokenizer.padId().orElse(tokenizer.eosId().orElse(0));
    }

    /** Queues a request; it is prefilled during the next steps and then decoded with the running rows. */
    public Row add(GenerationRequest request, RowListener listener) {
        PromptTooLong.check(request.prompt().length, request.maxTokens(), base.config().maxPositions());
        ContextModulation c = request.modulation();
        if (c == null && adapter != null) {
            c = ContextModulation.zeros(adapter.spec().method(), adapter.sites(), adapter.widths());
        }
        if (c != null && adapter == null) {
            throw new IllegalArgumentException("a request has a context but no adapter is loaded");
        }
        if (tokenizer == null && !request.stopStrings().isEmpty()) {
            throw new IllegalArgumentException("stop strings need a tokenizer");
        }
        Row row = new Row(request, listener == null ? RowListener.NONE : listener, c);
        prefilling.add(row);
        return row;
    }

    /** Rows waiting for or in prefill. */
    public int prefillingRows() { return prefilling.size(); }

    /** Rows in the decoding batch. */
    public int runningRows() { return running.size(); }

    /** All rows not finished yet. */
    public int size() { return prefilling.size() + running.size(); }

    public boolean isEmpty() { return size() == 0; }

    /** Batched decode forwards run so far. */
    public long decodeSteps() { return decodeSteps; }

    /** Sum over decode steps of the rows they advanced (a row's share of the decoding work). */
    public long rowSteps() { return rowSteps; }

    /** Prompt tokens prefilled so far. */
    public long prefillTokens() { return prefillTokens; }

    /** Time spent in prefill forwards so far (nanoseconds). */
    public long prefillNanos() { return prefillNanos; }

    /** Time spent in decode steps so far (nanoseconds). */
    public long decodeNanos() { return decodeNanos; }

    /**
     * One scheduling step: drops cancelled rows, prefills up to the budget (rows whose prompt is complete take their
     * first token and join the batch), then advances every running row by one token; finished rows leave. Returns the
     * rows that left during this step.
     */
    public List<Row> step() {
        List<Row> left = new ArrayList<>();
        try (NoGrad ignored = new NoGrad()) {
            dropCancelled(left);
            prefill(left);
            decode(left);
        }
        return left;
    }

    private void dropCancelled(List<Row> left) {
        for (Iterator<Row> it = prefilling.iterator(); it.hasNext(); ) {
            Row r = it.next();
            if (r.cancelled) {
                it.remove();
                closePrefill(r);
                finish(r, GenerationResult.FinishReason.CANCELLED, left);
            }
        }
        List<Row> gone = new ArrayList<>();
        for (Row r : running) {
            if (r.cancelled) gone.add(r);
        }
        if (!gone.isEmpty()) {
            removeRunning(gone);
            for (Row r : gone) finish(r, GenerationResult.FinishReason.CANCELLED, left);
        }
    }

    private void prefill(List<Row> left) {
        long t0 = System.nanoTime();
        int budget = prefillBudget;
        while (budget > 0 && !prefilling.isEmpty()) {
            Row head = prefilling.get(0);
            if (head.prefilled == 0 && head.request.prompt().length <= budget) {
                // whole prompts that fit the budget: one left-padded forward for the group
                List<Row> group = new ArrayList<>();
                int tokens = 0;
                for (Row r : prefilling) {
                    int n = r.request.prompt().length;
                    if (r.prefilled != 0 || tokens + n > budget) break;
                    group.add(r);
                    tokens += n;
                }
                prefillGroup(group, left);
                budget -= tokens;
            } else {
                budget -= prefillChunk(head, budget, left);
            }
        }
        prefillNanos += System.nanoTime() - t0;
    }

    /** Prefills whole prompts together; rows not finished by their first token join the batch as one block. */
    private void prefillGroup(List<Row> group, List<Row> left) {
        prefilling.removeAll(group);
        int g = group.size();
        int[][] prompts = new int[g][];
        List<ContextModulation> zs = new ArrayList<>(g);
        for (int i = 0; i < g; i++) {
            prompts[i] = group.get(i).request.prompt();
            zs.add(group.get(i).z);
            prefillTokens += prompts[i].length;
        }
        int[] first = new int[g];
        try (NDManager step = manager.newSubManager();
             KvCache groupCache = new KvCache(step, base.config().numLayers())) {
            ProjectionDelta d = adapter == null ? null : adapter.forRows(step, zs);
            NDArray logits = base.forward(step, DecoderInput.leftPadded(prompts, pad), groupCache, d,
                    DecoderModel.ForwardOptions.LAST);
            float[] flat = logits.toFloatArray();
            for (int i = 0; i < g; i++) first[i] = group.get(i).sampler.next(flat, i * vocab, vocab);
            List<Row> keep = new ArrayList<>();
            List<Long> keepIdx = new ArrayList<>();
            int longest = 0;
            for (int i = 0; i < g; i++) {
                Row r = group.get(i);
                r.prefilled = prompts[i].length;
                r.cached = prompts[i].length;
                if (accept(r, first[i])) {
                    finish(r, r.result.finishReason(), left);
                } else {
                    keep.add(r);
                    keepIdx.add((long) i);
                    longest = Math.max(longest, r.cached);
                }
            }
            if (keep.isEmpty()) {
                return;
            }
            if (keep.size() < g) {
                groupCache.selectRows(keepIdx.stream().mapToLong(Long::longValue).toArray());
                groupCache.dropLeft(groupCache.length() - longest);
            }
            joinBlock(groupCache, keep);
        }
    }

    /** Prefills the next chunk of one long prompt into its own cache; returns the tokens used. */
    private int prefillChunk(Row r, int budget, List<Row> left) {
        int[] prompt = r.request.prompt();
        if (r.prefillCache == null) {
            r.prefillManager = manager.newSubManager();
            r.prefillCache = new KvCache(r.prefillManager, base.config().numLayers());
        }
        int n = Math.min(budget, prompt.length - r.prefilled);
        int[] tok = new int[n];
        int[] pos = new int[n];
        boolean[] valid = new boolean[r.prefilled + n];
        System.arraycopy(prompt, r.prefilled, tok, 0, n);
        for (int j = 0; j < n; j++) pos[j] = r.prefilled + j;
        java.util.Arrays.fill(valid, true);
        DecoderInput in = new DecoderInput(new int[][] {tok}, new int[][] {pos}, new boolean[][] {valid});
        int first = -1;
        try (NDManager step = manager.newSubManager()) {
            ProjectionDelta d = adapter == null ? null : adapter.forRows(step, List.of(r.z));
            NDArray logits = base.forward(step, in, r.prefillCache, d, DecoderModel.ForwardOptions.LAST);
            r.prefilled += n;
            if (r.prefilled == prompt.length) {
                first = r.sampler.next(logits.toFloatArray(), 0, vocab);
            }
        }
        prefillTokens += n;
        if (first >= 0) {
            prefilling.remove(r);
            r.cached = prompt.length;
            if (accept(r, first)) {
                closePrefill(r);
                finish(r, r.result.finishReason(), left);
            } else {
                joinBlock(r.prefillCache, List.of(r));
                closePrefill(r);
            }
        }
        return n;
    }

    /** Moves prefilled rows' cache into the batch cache (right-aligned: the shorter side is left-padded). */
    private void joinBlock(KvCache own, List<Row> rows) {
        if (cache == null) {
            cache = new KvCache(manager, base.config().numLayers());
        }
        int s = cache.length();
        int p = own.length();
        if (cache.rows() > 0 && p > s) cache.padLeft(p - s);
        if (cache.rows() > 0 && s > p) own.padLeft(s - p);
        cache.appendRows(own);
        running.addAll(rows);
        invalidateDelta();
    }

    private void decode(List<Row> left) {
        int b = running.size();
        if (b == 0) {
            return;
        }
        long t0 = System.nanoTime();
        int s = cache.length();
        int[][] tok = new int[b][1];
        int[][] pos = new int[b][1];
        boolean[][] valid = new boolean[b][s + 1];
        boolean allGreedy = true;
        for (int i = 0; i < b; i++) {
            Row r = running.get(i);
            tok[i][0] = r.nextToken;
            pos[i][0] = r.cached;
            for (int k = s - r.cached; k <= s; k++) valid[i][k] = true;
            allGreedy &= r.request.sampling().isGreedy();
        }
        if (delta == null && adapter != null) {
            deltaManager = manager.newSubManager();
            List<ContextModulation> zs = new ArrayList<>(b);
            for (Row r : running) zs.add(r.z);
            delta = adapter.forRows(deltaManager, zs);
        }
        int[] next = new int[b];
        try (IntraOpThreads threads = IntraOpThreads.forRows(b);
             NDManager step = manager.newSubManager()) {
            NDArray logits = base.forward(step, new DecoderInput(tok, pos, valid), cache, delta,
                    DecoderModel.ForwardOptions.LAST);
            if (allGreedy) {
                long[] arg = logits.argMax(-1).toLongArray();
                for (int i = 0; i < b; i++) next[i] = (int) arg[i];
            } else {
                float[] flat = logits.toFloatArray();
                for (int i = 0; i < b; i++) next[i] = running.get(i).sampler.next(flat, i * vocab, vocab);
            }
        }
        decodeSteps++;
        rowSteps += b;
        decodeNanos += System.nanoTime() - t0;
        List<Row> done = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            Row r = running.get(i);
            r.cached++;
            if (accept(r, next[i])) done.add(r);
        }
        if (!done.isEmpty()) {
            removeRunning(done);
            for (Row r : done) finish(r, r.result.finishReason(), left);
        }
    }

    /**
     * Takes a sampled token for a row: stop token, text, stop strings, length. Returns true when the row is done
     * (its provisional result is set with the finish reason).
     */
    private boolean accept(Row r, int token) {
        GenerationRequest q = r.request;
        if (q.stopTokens().contains(token)) {
            r.result = provisional(r, GenerationResult.FinishReason.STOP);
            return true;
        }
        r.out.add(token);
        int before = r.text.length();
        if (r.decoder != null) r.text.append(r.decoder.push(token));
        int cut = r.stops.feed(r.text, before);
        if (cut >= 0) {
            r.text.setLength(cut);
            deliver(r, r.text.length());
            r.result = provisional(r, GenerationResult.FinishReason.STOP);
            return true;
        }
        if (r.out.size() >= q.maxTokens()) {
            if (r.decoder != null) r.text.append(r.decoder.flush());
            deliver(r, r.text.length());
            r.result = provisional(r, GenerationResult.FinishReason.LENGTH);
            return true;
        }
        deliver(r, r.text.length() - r.stops.pending());
        r.nextToken = token;
        return false;
    }

    private static GenerationResult provisional(Row r, GenerationResult.FinishReason reason) {
        return new GenerationResult(null, null, r.request.prompt().length, reason);
    }

    private void deliver(Row r, int to) {
        if (to > r.streamed) {
            String d = r.text.substring(r.streamed, to);
            r.streamed = to;
            r.listener.onText(d);
        }
    }

    private void finish(Row r, GenerationResult.FinishReason reason, List<Row> left) {
        if (reason != GenerationResult.FinishReason.CANCELLED) {
            deliver(r, r.text.length()); // text held back as a possible stop string that never completed
        }
        int[] toks = r.out.stream().mapToInt(Integer::intValue).toArray();
        r.result = new GenerationResult(r.text.toString(), toks, r.request.prompt().length, reason);
        left.add(r);
        r.listener.onFinish(r.result);
    }

    private void removeRunning(List<Row> gone) {
        List<Row> keep = new ArrayList<>(running);
        keep.removeAll(gone);
        if (keep.isEmpty()) {
            cache.close();
            cache = null;
        } else {
            long[] idx = new long[keep.size()];
            int s = cache.length();
            int longest = 0;
            for (int i = 0, j = 0; i < running.size(); i++) {
                if (!gone.contains(running.get(i))) idx[j++] = i;
            }
            for (Row r : keep) longest = Math.max(longest, r.cached);
            cache.selectRows(idx);
            cache.dropLeft(s - longest);
        }
        running.clear();
        running.addAll(keep);
        invalidateDelta();
    }

    private void invalidateDelta() {
        if (deltaManager != null) {
            deltaManager.close();
            deltaManager = null;
        }
        delta = null;
    }

    private static void closePrefill(Row r) {
        if (r.prefillManager != null) {
            r.prefillManager.close();
            r.prefillManager = null;
            r.prefillCache = null;
        }
    }

    /** Frees every array; rows still in the session get no result. */
    @Override
    public void close() {
        for (Row r : prefilling) closePrefill(r);
        prefilling.clear();
        running.clear();
        invalidateDelta();
        if (cache != null) {
            cache.close();
            cache = null;
        }
        manager.close();
    }
}
