package dev.zhyper.generator;

import dev.zhyper.core.generate.DecodeSession;
import dev.zhyper.core.generate.GenerationRequest;
import dev.zhyper.core.generate.GenerationResult;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import dev.zhyper.service.common.OwnedMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The generator's scheduler: ONE decode thread steps a {@link DecodeSession} per {@link EngineHandle} (same arm and
 * checkpoint; every row its own z), so requests with different descriptions share every decode forward.
 *
 * <p>Admission policy ({@code zhyper.batch.admission}):
 * <ul>
 *   <li>{@code continuous} (default): a queued request joins its engine's session as soon as fewer than
 *       {@code maxSize} rows are active; it is prefilled within the per-step prefill budget and decodes with the
 *       running rows from the next step on. A finished row leaves at once, so a 1-token request never waits behind a
 *       1,000-token one.</li>
 *   <li>{@code drain}: the previous static batching. Nothing is admitted until every session is empty; then the
 *       oldest request's engine gets up to {@code maxSize} queued requests, waiting at most {@code maxWait} for
 *       company, and that batch runs to its end.</li>
 * </ul>
 * Before every step, rows whose request was cancelled (the caller, a gRPC reset) or whose deadline passed are
 * cancelled: they leave at that step with their KV cache rows freed; queued ones are dropped. At most
 * {@code maxPending} requests wait; more are refused with RESOURCE_EXHAUSTED.
 */
public final class Batcher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Batcher.class);

    /** How queued requests enter the decode loop. */
    public enum Admission {
        CONTINUOUS, DRAIN;

        public static Admission parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("zhyper.batch.admission must be continuous or drain, got '" + s + "'");
            }
        }
    }

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
        long admittedNanos;
        long firstTokenNanos;
        long lastTokenNanos;
        int seenTokens;
        int batchSize;
        DecodeSession.Row row;

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

        /** Cancels the job (any thread): it leaves the queue, or its row the batch, at the next decode step. */
        public void cancel() {
            cancelled = true;
        }

        public CompletableFuture<Outcome> future() {
            return done;
        }

        boolean expired(long now) {
            return deadlineNanos != Long.MAX_VALUE && now - deadlineNanos >= 0;
        }
    }

    /** What a job produced and how long it took (milliseconds); batchSize = active rows when it was admitted. */
    public record Outcome(GenerationResult result, String checkpointId, long queueMs, long prefillMs, long decodeMs,
                          int batchSize) {}

    private final int maxSize;
    private final long maxWaitNanos;
    private final int maxPending;
    private final int prefillBudget;
    private final Admission admission;
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Sessions by engine, touched by the decode thread only (active counts are mirrored for other threads). */
    private final Map<EngineHandle, Active> sessions = new LinkedHashMap<>();
    private final AtomicInteger activeRows = new AtomicInteger();
    private final Thread worker;
    private volatile boolean running = true;
    private volatile long heartbeatNanos = System.nanoTime();

    private final Counter tokens;
    private final Counter batches;
    private final Counter rows;
    private final Counter decodeSteps;
    private final Counter rowSteps;
    private final Counter cancelledByCaller;
    private final Counter cancelledByDeadline;
    private final DistributionSummary batchSizes;
    private final DistributionSummary tokensPerRequest;
    private final Timer ttft;
    private final Timer interToken;
    private final Timer queueTime;
    private final AtomicInteger largest = new AtomicInteger();
    private final OwnedMeters gauges;
    private final AtomicLong multiRowBatches = new AtomicLong();
    private final AtomicLong totalDecodeSteps = new AtomicLong();
    private final AtomicLong totalRowSteps = new AtomicLong();

    /** One engine's session and the jobs of its rows. */
    private static final class Active {
        final DecodeSession session;
        final List<Job> jobs = new ArrayList<>();

        Active(DecodeSession session) {
            this.session = session;
        }
    }

    /** Drain admission (static batches) with the default prefill budget: the behaviour before continuous batching. */
    public Batcher(int maxSize, long maxWaitMs, int maxPending, MeterRegistry registry) {
        this(maxSize, maxWaitMs, maxPending, 256, Admission.DRAIN, registry);
    }

    public Batcher(int maxSize, long maxWaitMs, int maxPending, int prefillBudget, Admission admission,
                   MeterRegistry registry) {
        if (maxSize < 1) throw new IllegalArgumentException("zhyper.batch.max-size must be >= 1, got " + maxSize);
        if (maxWaitMs < 0) throw new IllegalArgumentException("zhyper.batch.max-wait-ms must be >= 0, got " + maxWaitMs);
        if (maxPending < 1) throw new IllegalArgumentException("zhyper.queue.max-pending must be >= 1, got " + maxPending);
        if (prefillBudget < 1) {
            throw new IllegalArgumentException("zhyper.batch.prefill-budget must be >= 1, got " + prefillBudget);
        }
        this.maxSize = maxSize;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        this.maxPending = maxPending;
        this.prefillBudget = prefillBudget;
        this.admission = admission;
        tokens = Counter.builder("zhyper.generator.tokens.generated").description("completion tokens generated")
                .register(registry);
        batches = Counter.builder("zhyper.generator.batches")
                .description("admissions: groups of requests that entered the decode loop together").register(registry);
        rows = Counter.builder("zhyper.generator.batch.rows").description("requests admitted to the decode loop")
                .register(registry);
        decodeSteps = Counter.builder("zhyper.generator.decode.steps").description("batched decode forwards")
                .register(registry);
        rowSteps = Counter.builder("zhyper.generator.decode.row.steps")
                .description("rows advanced by decode steps (sum of batch sizes)").register(registry);
        cancelledByCaller = Counter.builder("zhyper.generator.requests.cancelled").tag("reason", "cancelled")
                .description("requests cancelled before they finished (caller, reset or disconnected stream)")
                .register(registry);
        cancelledByDeadline = Counter.builder("zhyper.generator.requests.cancelled").tag("reason", "deadline")
                .description("requests cancelled before they finished (deadline passed)").register(registry);
        batchSizes = DistributionSummary.builder("zhyper.generator.batch.size")
                .description("rows per decode step").register(registry);
        tokensPerRequest = DistributionSummary.builder("zhyper.generator.request.tokens")
                .description("completion tokens per finished request").publishPercentileHistogram()
                .publishPercentiles(0.5, 0.9, 0.99).register(registry);
        ttft = Timer.builder("zhyper.generator.time.to.first.token")
                .description("arrival in the queue to the first generated token").publishPercentileHistogram()
                .publishPercentiles(0.5, 0.9, 0.99).register(registry);
        interToken = Timer.builder("zhyper.generator.inter.token.latency")
                .description("time between two tokens of a request").publishPercentileHistogram()
                .publishPercentiles(0.5, 0.9, 0.99).register(registry);
        queueTime = Timer.builder("zhyper.generator.queue.time")
                .description("arrival in the queue to admission into the decode loop").publishPercentileHistogram()
                .publishPercentiles(0.5, 0.9, 0.99).register(registry);
        gauges = new OwnedMeters(registry);
        gauges.own(Gauge.builder("zhyper.generator.queue.depth", this, Batcher::depth)
                .description("requests waiting for admission").register(registry));
        gauges.own(Gauge.builder("zhyper.generator.batch.active", activeRows, AtomicInteger::get)
                .description("rows in the decode loop (prefilling or decoding)").register(registry));
        gauges.own(Gauge.builder("zhyper.generator.batch.largest", largest, AtomicInteger::get)
                .description("largest decode batch since start").register(registry));
        worker = new Thread(this::loop, "zhyper-decoder");
        worker.setDaemon(true);
        worker.start();
    }

    public Admission admission() {
        return admission;
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

    /** Requests waiting for admission. */
    public int depth() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Rows in the decode loop. */
    public int active() {
        return activeRows.get();
    }

    /** Largest decode batch since start. */
    public int largestBatch() {
        return largest.get();
    }

    /** Decode steps that advanced more than one request together. */
    public long multiRowBatches() {
        return multiRowBatches.get();
    }

    /** Batched decode forwards since start. */
    public long decodeSteps() {
        return totalDecodeSteps.get();
    }

    /** Rows advanced by decode steps since start (each request's share of the decoding work). */
    public long rowSteps() {
        return totalRowSteps.get();
    }

    /** Requests cancelled (by the caller, a reset stream or a deadline) before they finished. */
    public long cancelled() {
        return (long) (cancelledByCaller.count() + cancelledByDeadline.count());
    }

    /** Whether the decode thread runs and went round its loop recently (readiness). */
    public boolean alive() {
        return running && worker.isAlive() && System.nanoTime() - heartbeatNanos < TimeUnit.SECONDS.toNanos(60);
    }

    private void loop() {
        while (running) {
            heartbeatNanos = System.nanoTime();
            try {
                if (!admit()) break;
                stepAll();
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException | Error e) {
                LOG.errorf(e, "decode loop iteration failed");
                failAllActive(e);
            }
        }
        failAllActive(null);
        failQueued();
    }

    /**
     * Drops cancelled/expired queued jobs and admits jobs per the policy; waits (up to a second, for the heartbeat)
     * while there is nothing to do. Returns false when shutting down.
     */
    private boolean admit() throws InterruptedException {
        List<Job> dropped = new ArrayList<>();
        List<Job> admitted = new ArrayList<>();
        lock.lock();
        try {
            dropCancelledQueued(dropped);
            if (activeRows.get() == 0 && queue.isEmpty()) {
                changed.await(1, TimeUnit.SECONDS);
                dropCancelledQueued(dropped);
            }
            if (!running) return false;
            if (admission == Admission.CONTINUOUS) {
                for (Iterator<Job> it = queue.iterator(); it.hasNext() && activeRows.get() + admitted.size() < maxSize; ) {
                    admitted.add(it.next());
                    it.remove();
                }
            } else if (activeRows.get() == 0 && !queue.isEmpty()) {
                Job first = queue.peekFirst();
                long deadline = first.enqueuedNanos + maxWaitNanos;
                while (running && compatible(first).size() < maxSize && !first.cancelled) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) break;
                    changed.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
                    heartbeatNanos = System.nanoTime();
                }
                if (!running) return false;
                dropCancelledQueued(dropped);
                if (!queue.isEmpty()) {
                    List<Job> batch = compatible(queue.peekFirst());
                    queue.removeAll(batch);
                    admitted.addAll(batch);
                }
            }
        } finally {
            lock.unlock();
        }
        for (Job j : dropped) finishCancelled(j, System.nanoTime());
        if (!admitted.isEmpty()) {
            batches.increment();
            rows.increment(admitted.size());
        }
        for (Job j : admitted) start(j);
        return true;
    }

    /** Up to maxSize queued jobs on first's engine, in order. */
    private List<Job> compatible(Job first) {
        List<Job> out = new ArrayList<>();
        for (Iterator<Job> it = queue.iterator(); it.hasNext() && out.size() < maxSize; ) {
            Job j = it.next();
            if (j.handle == first.handle && !j.cancelled) out.add(j);
        }
        return out;
    }

    private void dropCancelledQueued(List<Job> dropped) {
        long now = System.nanoTime();
        for (Iterator<Job> it = queue.iterator(); it.hasNext(); ) {
            Job j = it.next();
            if (j.cancelled || j.expired(now)) {
                it.remove();
                dropped.add(j);
            }
        }
    }

    /** Adds a job's row to its engine's session (decode thread). */
    private void start(Job j) {
        long now = System.nanoTime();
        j.admittedNanos = now;
        queueTime.record(now - j.enqueuedNanos, TimeUnit.NANOSECONDS);
        Active a = sessions.get(j.handle);
        try {
            if (a == null) {
                a = new Active(j.handle.engine().session(prefillBudget));
                sessions.put(j.handle, a);
            }
            j.row = a.session.add(j.request, new DecodeSession.RowListener() {
                @Override
                public void onText(String delta) {
                    if (j.onDelta == null) return;
                    try {
                        j.onDelta.accept(delta);
                    } catch (RuntimeException e) {
                        LOG.debugf(e, "stream consumer of request %s failed", j.requestId);
                    }
                }

                @Override
                public void onFinish(GenerationResult result) {
                }
            });
            a.jobs.add(j);
            j.batchSize = a.jobs.size();
            activeRows.incrementAndGet();
        } catch (RuntimeException e) {
            LOG.errorf(e, "request %s could not join the decode loop", j.requestId);
            complete(j, null, Status.INTERNAL.withDescription("generation failed: " + e).withCause(e)
                    .asRuntimeException());
        }
    }

    /** One step of every session with rows, cancelling expired/cancelled rows first. */
    private void stepAll() {
        if (sessions.isEmpty()) return;
        for (Iterator<Map.Entry<EngineHandle, Active>> it = sessions.entrySet().iterator(); it.hasNext(); ) {
            Active a = it.next().getValue();
            long now = System.nanoTime();
            for (Job j : a.jobs) {
                if (j.cancelled || j.expired(now)) j.row.cancel();
            }
            int batch = a.session.runningRows();
            long steps0 = a.session.decodeSteps();
            long rowSteps0 = a.session.rowSteps();
            List<DecodeSession.Row> left;
            try {
                left = a.session.step();
            } catch (RuntimeException | Error e) {
                LOG.errorf(e, "decode step of %d requests failed", a.jobs.size());
                for (Job j : a.jobs) {
                    complete(j, null, Status.INTERNAL.withDescription("generation failed: " + e).withCause(e)
                            .asRuntimeException());
                }
                a.jobs.clear();
                a.session.close();
                it.remove();
                continue;
            }
            long steps = a.session.decodeSteps() - steps0;
            long advanced = a.session.rowSteps() - rowSteps0;
            if (steps > 0) {
                int b = (int) advanced;
                decodeSteps.increment(steps);
                rowSteps.increment(advanced);
                totalDecodeSteps.addAndGet(steps);
                totalRowSteps.addAndGet(advanced);
                batchSizes.record(b);
                largest.accumulateAndGet(b, Math::max);
                if (b > 1) multiRowBatches.incrementAndGet();
            }
            now = System.nanoTime();
            for (Job j : a.jobs) observeTokens(j, now);
            for (DecodeSession.Row r : left) {
                Job j = jobOf(a, r);
                if (j == null) continue;
                a.jobs.remove(j);
                if (r.result().finishReason() == GenerationResult.FinishReason.CANCELLED) {
                    finishCancelled(j, now);
                } else {
                    observeTokens(j, now);
                    tokens.increment(r.result().tokens().length);
                    tokensPerRequest.record(r.result().tokens().length);
                    long first = j.firstTokenNanos == 0 ? now : j.firstTokenNanos;
                    complete(j, new Outcome(r.result(), j.handle.checkpointId(), ms(j.admittedNanos - j.enqueuedNanos),
                            ms(first - j.admittedNanos), ms(now - first), j.batchSize), null);
                }
            }
            if (a.session.isEmpty()) {
                a.session.close();
                it.remove();
            }
            if (batch == 0 && steps == 0 && left.isEmpty() && a.session.isEmpty()) {
                LOG.debug("idle session closed");
            }
        }
    }

    /** Records time to first token and inter-token latency from the row's token count. */
    private void observeTokens(Job j, long now) {
        int n = j.row == null ? 0 : j.row.generated();
        if (n <= j.seenTokens) return;
        if (j.seenTokens == 0) {
            j.firstTokenNanos = now;
            ttft.record(now - j.enqueuedNanos, TimeUnit.NANOSECONDS);
        } else {
            interToken.record((now - j.lastTokenNanos) / (n - j.seenTokens), TimeUnit.NANOSECONDS);
        }
        j.seenTokens = n;
        j.lastTokenNanos = now;
    }

    private static Job jobOf(Active a, DecodeSession.Row r) {
        for (Job j : a.jobs) {
            if (j.row == r) return j;
        }
        return null;
    }

    private void finishCancelled(Job j, long now) {
        boolean deadline = j.expired(now);
        (deadline ? cancelledByDeadline : cancelledByCaller).increment();
        complete(j, null, (deadline
                ? Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded after " + ms(now - j.enqueuedNanos)
                        + " ms; the request stopped decoding")
                : Status.CANCELLED.withDescription("request cancelled")).asRuntimeException());
    }

    /** Completes a job (result or failure) and releases its engine; rows in the loop decrement the active count. */
    private void complete(Job j, Outcome o, Throwable failure) {
        if (j.row != null) activeRows.decrementAndGet();
        try {
            if (failure != null) {
                j.done.completeExceptionally(failure);
            } else {
                j.done.complete(o);
            }
        } finally {
            j.handle.release();
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(Math.max(0, nanos));
    }

    private void failAllActive(Throwable cause) {
        for (Active a : sessions.values()) {
            for (Job j : a.jobs) {
                complete(j, null, cause == null
                        ? Status.UNAVAILABLE.withDescription("generator is shutting down").asRuntimeException()
                        : Status.INTERNAL.withDescription("generation failed: " + cause).withCause(cause)
                        .asRuntimeException());
            }
            a.jobs.clear();
            try {
                a.session.close();
            } catch (RuntimeException e) {
                LOG.debugf(e, "closing a session");
            }
        }
        sessions.clear();
    }

    private void failQueued() {
        List<Job> jobs;
        lock.lock();
        try {
            jobs = new ArrayList<>(queue);
            queue.clear();
        } finally {
            lock.unlock();
        }
        for (Job j : jobs) {
            complete(j, null, Status.UNAVAILABLE.withDescription("generator is shutting down").asRuntimeException());
        }
    }

    @Override
    public void close() {
        gauges.close();
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
        if (!worker.isAlive()) {
            failQueued();
        }
    }
}
