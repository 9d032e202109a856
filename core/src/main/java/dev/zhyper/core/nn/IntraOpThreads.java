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

    private final int previous;
    private final boolean changed;

    private IntraOpThreads(int threads) {
        previous = JniUtils.getNumThreads();
        changed = threads < previous;
        if (changed) {
            JniUtils.setNumThreads(threads);
        }
    }

    /** At most {@code threads} intra-op threads on this thread until {@link #close}; a larger value changes nothing. */
    public static IntraOpThreads atMost(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        return new IntraOpThreads(threads);
    }

    /** One thread for a batch of at most {@link #SINGLE_THREAD_ROWS} rows, else PyTorch's thread count unchanged. */
    public static IntraOpThreads forRows(int rows) {
        return atMost(rows <= SINGLE_THREAD_ROWS ? 1 : Integer.MAX_VALUE);
    }

    @Override
    public void close() {
        if (changed) {
            JniUtils.setNumThreads(previous);
        }
    }
}
