package dev.zhyper.generator;

import dev.zhyper.core.generate.GenerationRequest;
import dev.zhyper.core.generate.GenerationResult;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Collects admitted requests into batches and decodes each batch in ONE {@code Generator} call on a dedicated
 * worker thread, every row with its own modulation z (requests with different descriptions share every forward).
 *
 * <p>A batch holds requests pinned to the same {@link EngineHandle} (same arm and checkpoint): the worker takes
 * the oldest queued request, then waits until {@code maxSize} compatible requests are queued or the oldest has
 * waited {@code maxWait} (if the worker was busy longer than that, it takes what is queued at once), and removes
 * up to {@code maxSize} of them in arrival order. Rows are compatible when the batch's longest prompt plus its
 * largest max_tokens still fit the model's positions. Requests for other engines stay queued, in order, for the
 * next round. At most {@code maxPending} requests wait; more are refused with RESOURCE_EXHAUSTED.
 */
public final class Batcher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Batcher.class);

    /** One admitted request. The handle was acquired for it; the batcher releases it when the request ends. */
    public static final class Job {
        final String requestId;
        final String arm;
        final EngineHandle handle;
        final GenerationRequest request;
        final Consumer<String> onDelta;
        final CompletableFuture<Outcome> done = new CompletableFuture<>();
        final long deadlineNanos;
        volatile boolean cancelled;
        long enqueuedNanos;

        /** A job without a deadline. */
        public Job(String requestId, String arm, EngineHandle handle, GenerationRequest request, Consumer<String> onDelta) {
            this(requestId, arm, handle, request, onDelta, Long.MAX_VALUE);
        }

        /**
         * @param onDelta       receives text deltas as they are decoded (null = not streamed)
         * @param deadlineNanos System.nanoTime() after which the request fails with DEADLINE_EXCEEDED (MAX_VALUE: none)
         */
        public Job(String requestId, String arm, EngineHandle handle, GenerationRequest request, Consumer<String> onDelta,
                   long deadlineNanos) {
            this.requestId = requestId;
            this.arm = arm;
            this.handle = handle;
            this.request = request;
            this.onDelta = onDelta;
            this.deadlineNanos = deadlineNanos;
        }

        /** Cancels the job: it leaves the queue, or its row the batch, at the next decode step. */
        public void cancel() {
            cancelled = true;
        }

        public CompletableFuture<Outcome> future() {
            return done;
        }
    }

    /** What a job produced and how long it took (milliseconds). */
    public record Outcome(GenerationResult result, String checkpointId, long queueMs, long prefillMs, long decodeMs,
                          int batchSize) {}

    private final int maxSize;
    private final long maxWaitNanos;
    private final int maxPending;
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread worker;
    private volatile boolean running = true;

    private final Counter tokens;
    private final Counter batches;
    private final Counter rows;
    private final DistributionSummary batchSizes;
    private final AtomicInteger largest = new AtomicInteger();
    private final AtomicLong multiRowBatches = new AtomicLong();

    public Batcher(int maxSize, long maxWaitMs, int maxPending, MeterRegistry registry) {
        if (maxSize < 1) throw new IllegalArgumentException("zhyper.batch.max-size must be >= 1, got " + maxSize);
        if (maxWaitMs < 0) throw new IllegalArgumentException("zhyper.batch.max-wait-ms must be >= 0, got " + maxWaitMs);
        if (maxPending < 1) throw new IllegalArgumentException("zhyper.queue.max-pending must be >= 1, got " + maxPending);
        this.maxSize = maxSize;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        this.maxPending = maxPending;
        tokens = Counter.builder("zhyper.generator.tokens.generated").description("completion tokens generated")
                .register(registry);
        batches = Counter.builder("zhyper.generator.batches").description("decoded batches").register(registry);
        rows = Counter.builder("zhyper.generator.batch.rows").description("requests decoded in batches")
                .register(registry);
        batchSizes = DistributionSummary.builder("zhyper.generator.batch.size")
                .description("requests per decoded batch").register(registry);
        Gauge.builder("zhyper.generator.queue.depth", this, Batcher::depth)
                .description("requests waiting for a batch").register(registry);
        Gauge.builder("zhyper.generator.batch.largest", largest, AtomicInteger::get)
                .description("largest batch decoded since start").register(registry);
        worker = new Thread(this::loop, "zhyper-decoder");
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * Queues a job. On RESOURCE_EXHAUSTED (queue full) or shutdown the job's handle is NOT released here: the
     * caller still owns it until this method returns normally.
     */
    public CompletableFuture<Outcome> submit(Job job) {
        lock.lock();
        try {
            if (!running) throw Status.UNAVAILABLE.withDescription("generator is shutting down").asRuntimeException();
            if (queue.size() >= maxPending) {
                throw Status.RESOURCE_EXHAUSTED.withDescription("generation queue is full (" + queue.size()
                        + " pending >= zhyper.queue.max-pending " + maxPending + ")").asRuntimeException();
            }
            job.enqueuedNanos = System.nanoTime();
            queue.addLast(job);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return job.done;
    }

    /** Requests waiting for a batch. */
    public int depth() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Largest batch decoded since start. */
    public int largestBatch() {
        return largest.get();
    }

    /** Batches that decoded more than one request together. */
    public long multiRowBatches() {
        return multiRowBatches.get();
    }

    private void loop() {
        while (running) {
            List<Job> batch;
            try {
                batch = next();
            } catch (InterruptedException e) {
                break;
            }
            if (batch.isEmpty()) continue;
            run(batch);
        }
        failQueued();
    }

    /** Waits for and removes the next batch (empty when shutting down). */
    private List<Job> next() throws InterruptedException {
        lock.lock();
        try {
            while (running && queue.isEmpty()) changed.await();
            if (!running) return List.of();
            Job first = queue.peekFirst();
            long deadline = first.enqueuedNanos + maxWaitNanos;
            while (running && compatible(first).size() < maxSize) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                changed.awaitNanos(left);
            }
            if (!running) return List.of();
            List<Job> batch = compatible(first);
            queue.removeAll(batch);
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** Up to maxSize queued jobs on first's engine, in order, whose prompts + max tokens fit together. */
    private List<Job> compatible(Job first) {
        int limit = first.handle.engine().base().config().maxPositions();
        List<Job> out = new ArrayList<>();
        int maxPrompt = 0;
        int maxNew = 0;
        for (Iterator<Job> it = queue.iterator(); it.hasNext() && out.size() < maxSize; ) {
            Job j = it.next();
            if (j.handle != first.handle) continue;
            int p = Math.max(maxPrompt, j.request.prompt().length);
            int n = Math.max(maxNew, j.request.maxTokens());
            if (!out.isEmpty() && p + n > limit) continue;
            maxPrompt = p;
            maxNew = n;
            out.add(j);
        }
        return out;
    }

    private void run(List<Job> batch) {
        long start = System.nanoTime();
        AtomicLong firstStep = new AtomicLong();
        List<GenerationRequest> requests = new ArrayList<>(batch.size());
        for (Job j : batch) requests.add(j.request);
        EngineHandle handle = batch.get(0).handle;
        batchSizes.record(batch.size());
        batches.increment();
        rows.increment(batch.size());
        largest.accumulateAndGet(batch.size(), Math::max);
        if (batch.size() > 1) multiRowBatches.incrementAndGet();
        try {
            List<GenerationResult> results = handle.engine().generate(requests, (row, delta) -> {
                firstStep.compareAndSet(0, System.nanoTime());
                Consumer<String> sink = batch.get(row).onDelta;
                if (sink != null) {
                    try {
                        sink.accept(delta);
                    } catch (RuntimeException e) {
                        LOG.debugf(e, "stream consumer of request %s failed", batch.get(row).requestId);
                    }
                }
            });
            long end = System.nanoTime();
            long first = firstStep.get() == 0 ? start : firstStep.get();
            for (int i = 0; i < batch.size(); i++) {
                Job j = batch.get(i);
                GenerationResult r = results.get(i);
                tokens.increment(r.tokens().length);
                j.done.complete(new Outcome(r, handle.checkpointId(), ms(start - j.enqueuedNanos), ms(first - start),
                        ms(end - first), batch.size()));
            }
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "batch of %d requests failed", batch.size());
            for (Job j : batch) {
                j.done.completeExceptionally(Status.INTERNAL.withDescription("generation failed: " + e)
                        .withCause(e).asRuntimeException());
            }
        } finally {
            for (Job j : batch) j.handle.release();
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(Math.max(0, nanos));
    }

    private void failQueued() {
        lock.lock();
        try {
            for (Job j : queue) {
                j.done.completeExceptionally(Status.UNAVAILABLE.withDescription("generator is shutting down")
                        .asRuntimeException());
                j.handle.release();
            }
            queue.clear();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            running = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            worker.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failQueued();
    }
}
