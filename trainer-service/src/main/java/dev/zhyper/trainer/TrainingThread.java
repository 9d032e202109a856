package dev.zhyper.trainer;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The service's ONE training thread: jobs, streaming rounds and the recovery at start queue behind each other and run
 * one at a time, in submission order. Knows which job (or "stream") is training now.
 */
final class TrainingThread implements AutoCloseable {

    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "zhyper-trainer-train");
        t.setDaemon(true);
        return t;
    });
    private volatile String running;

    /** Queues {@code task}; while it runs, {@link #running()} is {@code id} (null: not counted as training). */
    <T> Future<T> submit(String id, Callable<T> task) {
        return executor.submit(() -> {
            running = id;
            try {
                return task.call();
            } finally {
                running = null;
            }
        });
    }

    /** The id of the job (or "stream") training now, or null. */
    String running() {
        return running;
    }

    /** Interrupts the running task (training stops after its current step) and waits up to 30 s for it. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
