package dev.zhyper.generator;

import dev.zhyper.core.engine.ZhyperEngine;
import dev.zhyper.core.generate.GenerationRequest;
import dev.zhyper.core.generate.SamplingParams;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.model.random.RandomModels;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scheduler on a real (tiny random) engine: admission policies, cancellation, deadlines, liveness. */
class BatcherTest {

    static ZhyperEngine engine;
    static EngineHandle handle;
    static String longPrompt;

    @BeforeAll
    static void setUp() throws Exception {
        Path dir = RandomModels.writeLlama(Files.createTempDirectory("zhyper-batcher-test").resolve("m"),
                RandomModels.LlamaShape.tiny(0), "abcdefgh ", 3);
        engine = ZhyperEngine.open(dir, null, ModelOptions.cpuFloat32());
        handle = new EngineHandle(engine, null, false);
        int best = -1;
        for (String p : List.of("abc", "a", "hhh", "bcd efg", "ggg", "h a h", "dddd", "e", "fab", "cc")) {
            int n = engine.generate(List.of(request(p, 200)), (r, d) -> { }).get(0).tokens().length;
            if (n > best) {
                best = n;
                longPrompt = p;
            }
        }
        assertTrue(best >= 100, "no prompt decodes >= 100 tokens on the random model (best " + best + ")");
    }

    @AfterAll
    static void tearDown() {
        engine.close();
    }

    static GenerationRequest request(String prompt, int max) {
        return engine.request(null, prompt, null, SamplingParams.greedy(), max, List.of());
    }

    static Batcher.Job job(String id, GenerationRequest r, long deadlineNanos) {
        assertTrue(handle.acquire());
        return new Batcher.Job(id, "a", handle, r, null, deadlineNanos);
    }

    @Test
    void continuousAdmissionLetsAOneTokenRequestFinishWhileALongOneDecodes() throws Exception {
        try (Batcher b = new Batcher(16, 5, 64, 256, Batcher.Admission.CONTINUOUS, new SimpleMeterRegistry())) {
            CompletableFuture<Batcher.Outcome> longOne = b.submit(job("long", request(longPrompt, 200), Long.MAX_VALUE));
            awaitRowSteps(b, 5);
            CompletableFuture<Batcher.Outcome> shortOne = b.submit(job("short", request("abc", 1), Long.MAX_VALUE));
            assertEquals(1, shortOne.get(60, TimeUnit.SECONDS).result().tokens().length);
            assertFalse(longOne.isDone(), "the 1-token request did not wait for the long one");
            assertTrue(longOne.get(120, TimeUnit.SECONDS).result().tokens().length >= 100);
        }
    }

    @Test
    void drainAdmissionMakesTheOneTokenRequestWaitForTheBatch() throws Exception {
        try (Batcher b = new Batcher(16, 5, 64, 256, Batcher.Admission.DRAIN, new SimpleMeterRegistry())) {
            CompletableFuture<Batcher.Outcome> longOne = b.submit(job("long", request(longPrompt, 200), Long.MAX_VALUE));
            awaitRowSteps(b, 5);
            CompletableFuture<Batcher.Outcome> shortOne = b.submit(job("short", request("abc", 1), Long.MAX_VALUE));
            shortOne.get(120, TimeUnit.SECONDS);
            assertTrue(longOne.isDone(), "drain: nothing is admitted before the running batch ends");
        }
    }

    @Test
    void cancelledAndExpiredRowsLeaveAtTheNextStep() throws Exception {
        try (Batcher b = new Batcher(16, 5, 64, 256, Batcher.Admission.CONTINUOUS, new SimpleMeterRegistry())) {
            Batcher.Job cancel = job("cancel", request(longPrompt, 200), Long.MAX_VALUE);
            CompletableFuture<Batcher.Outcome> c = b.submit(cancel);
            CompletableFuture<Batcher.Outcome> d = b.submit(job("expire", request(longPrompt, 200),
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30)));
            awaitRowSteps(b, 3);
            cancel.cancel();
            assertEquals(Status.Code.CANCELLED, codeOf(c));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, codeOf(d));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (b.active() > 0 && System.nanoTime() < end) Thread.sleep(10);
            assertEquals(0, b.active());
            long steps = b.rowSteps();
            assertTrue(steps < 400, "the two rows stopped long before 2 x 200 tokens: " + steps);
            Thread.sleep(200);
            assertEquals(steps, b.rowSteps(), "no decoding after both left");
            assertEquals(2, b.cancelled());
        }
        assertEquals(0, handle.refs(), "every job released its engine");
    }

    @Test
    void theDecodeLoopIsAliveUntilClosed() {
        Batcher b = new Batcher(4, 5, 4, 256, Batcher.Admission.CONTINUOUS, new SimpleMeterRegistry());
        assertTrue(b.alive());
        b.close();
        assertFalse(b.alive(), "readiness must go DOWN without a decode loop");
        assertThrows(IllegalArgumentException.class, () -> Batcher.Admission.parse("static"));
    }

    private static Status.Code codeOf(CompletableFuture<Batcher.Outcome> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
        return ((StatusRuntimeException) e.getCause()).getStatus().getCode();
    }

    private static void awaitRowSteps(Batcher b, long n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (b.rowSteps() < n && System.nanoTime() < end) Thread.sleep(2);
        assertTrue(b.rowSteps() >= n, "the decode loop did not start");
    }
}
