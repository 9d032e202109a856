package dev.zhyper.core.nn;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Caps PyTorch's intra-op threads on the calling thread for a scope, and restores the previous count on close.
 *
 * <p>libtorch's CPU parallelism is OpenMP with static work splitting: every parallel op waits at a barrier for all
 * its threads. When the machine is oversubscribed (other processes on the same cores), a worker that is not
 * scheduled stalls the op for up to a scheduler time slice; a batch-1 decode step has a few hundred ops and
 * became ~30x slower (docs/adr/0015-single-threaded-small-decode-steps.md). The thread count is an OpenMP setting
 * of the calling thread (other threads keep theirs), so the cap is cheap to set and undo (about a microsecond).
 */
public final class IntraOpThreads implements AutoCloseable {
    /**
     * Batches of at most this many rows (decode steps, hypernetwork calls) run on one intra-op thread: their ops are
     * small or memory-bound (one core streams the weights about as fast as two here) and each multi-threaded op can
     * stall at OpenMP's barrier on a shared machine. Prefill and larger batches keep PyTorch's thread count.
     * JVM property {@code zhyper.engine.single-thread-rows} (default 4; 0 turns the cap off, e.g. on a dedicated
     * many-core server where one core cannot stream the weights at the memory's speed).
     */
    public static final int SINGLE_THREAD_ROWS = Integer.getInteger("zhyper.engine.single-thread-rows", 4);

    /**
     * Inside a one-thread small-batch scope, a projection whose weight has at least this many bytes runs with the
     * thread count the scope capped: its GEMV streams the weight from memory, and one core's GEMV reaches only part
     * of the memory's read bandwidth (docs/adr/0015). JVM property {@code zhyper.engine.parallel-weight-bytes}
     * (default 0 = off; e.g. 4194304 for the MLP and lm_head weights of a 124M model).
     */
    public static final long PARALLEL_WEIGHT_BYTES = Long.getLong("zhyper.engine.parallel-weight-bytes", 0L);

    /** The thread count a {@link #forRows} cap replaced on this thread, or null outside such a cap. */
    private static final ThreadLocal<Integer> CAPPED_FROM = new ThreadLocal<>();

    private static final IntraOpThreads UNCHANGED = new IntraOpThreads();

    private final int previous;
    private final boolean changed;
    private final Integer cappedBefore;
    private final boolean marksCap;

    private IntraOpThreads() {
        previous = 0;
        changed = false;
        cappedBefore = null;
        marksCap = false;
    }

    private IntraOpThreads(int threads, boolean marksCap) {
        previous = JniUtils.getNumThreads();
        changed = threads != previous;
        if (changed) {
            JniUtils.setNumThreads(threads);
        }
        this.marksCap = marksCap && threads < previous;
        cappedBefore = CAPPED_FROM.get();
        if (this.marksCap) {
            CAPPED_FROM.set(previous);
        }
    }

    /** At most {@code threads} intra-op threads on this thread until {@link #close}; a larger value changes nothing. */
    public static IntraOpThreads atMost(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        return new IntraOpThreads(Math.min(threads, JniUtils.getNumThreads()), false);
    }

    /** One thread for a batch of at most {@link #SINGLE_THREAD_ROWS} rows, else PyTorch's thread count unchanged. */
    public static IntraOpThreads forRows(int rows) {
        if (rows > SINGLE_THREAD_ROWS) {
            return UNCHANGED;
        }
        return new IntraOpThreads(1, true);
    }

    /**
     * For one projection with a weight of {@code weightBytes}: inside a {@link #forRows} cap and at least
     * {@link #PARALLEL_WEIGHT_BYTES} (when that is set), the thread count the cap replaced; otherwise nothing changes.
     */
    public static IntraOpThreads forWeight(long weightBytes) {
        return forWeight(weightBytes, PARALLEL_WEIGHT_BYTES);
    }

    static IntraOpThreads forWeight(long weightBytes, long thresholdBytes) {
        if (thresholdBytes <= 0 || weightBytes < thresholdBytes) {
            return UNCHANGED;
        }
        Integer full = CAPPED_FROM.get();
        if (full == null) {
            return UNCHANGED;
        }
        return new IntraOpThreads(full, false);
    }

    @Override
    public void close() {
        if (this == UNCHANGED) {
            return;
        }
        if (changed) {
            JniUtils.setNumThreads(previous);
        }
        if (marksCap) {
            if (cappedBefore == null) {
                CAPPED_FROM.remove();
            } else {
                CAPPED_FROM.set(cappedBefore);
            }
        }
    }
}
