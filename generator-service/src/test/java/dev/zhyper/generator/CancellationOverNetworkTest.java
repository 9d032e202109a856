package dev.zhyper.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zhyper.proto.v1.GenerateChunk;
import dev.zhyper.proto.v1.GenerateRequest;
import dev.zhyper.proto.v1.GeneratorGrpc;
import dev.zhyper.service.common.KafkaBrokerResource;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real clients over the network against the generator's shared HTTP/gRPC port: an {@code @grpc/grpc-js} client (as a
 * Node user writes it, run with node) and grpc-java clients. Calls beside cancelled and expired calls on the same
 * connection all succeed; a cancelled or expired request stops consuming decode steps; unparsable input is
 * INVALID_ARGUMENT. Before the cancellation fix, most ordinary calls of the storm failed with
 * {@code INTERNAL: Received RST_STREAM with code 1} (quarkusio/quarkus#56268).
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(TinyModelResource.class)
class CancellationOverNetworkTest {

    @TestHTTPResource("/")
    URL url;

    @Inject
    Batcher batcher;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = ManagedChannelBuilder.forAddress("localhost", url.getPort()).usePlaintext().build();
        findLongPrompt();
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    /** A prompt the tiny random model answers with many tokens (the model may stop early on others). */
    static String longPrompt;

    void findLongPrompt() {
        if (longPrompt != null) return;
        GeneratorGrpc.GeneratorBlockingStub stub = GeneratorGrpc.newBlockingStub(channel);
        int best = -1;
        for (String p : List.of("abc abc abc", "a", "hhh", "bcd efg", "ggg ggg", "h a h a", "dddd", "e", "fab", "cc")) {
            int n = stub.generate(GenerateRequest.newBuilder().setPrompt(p).setMaxTokens(200).build())
                    .getCompletionTokens();
            if (n > best) {
                best = n;
                longPrompt = p;
            }
        }
        assertTrue(best >= 100, "no test prompt decodes >= 100 tokens (best " + best + ")");
    }

    static GenerateRequest longRequest(String id) {
        return GenerateRequest.newBuilder().setPrompt(longPrompt).setMaxTokens(200).setRequestId(id).build();
    }

    @Test
    void grpcJsCallsBesideCancelledAndExpiredCallsAllSucceed() throws Exception {
        // the cut calls (60 tokens) would end, and write their late answers, while the ordinary ones (200) still run
        int rounds = 8;
        JsonNode stats = runNode("cancel-storm.js", "localhost:" + url.getPort(), protoRoot().toString(),
                Integer.toString(rounds), "60", longPrompt, "200");
        assertEquals(0, stats.get("ordinaryFailed").asInt(), "ordinary unary calls failed: " + stats);
        assertEquals(4 * rounds, stats.get("ordinaryOk").asInt(), stats.toString());
        assertEquals(0, stats.get("streamFailed").asInt(), "streams after a cancelled call failed: " + stats);
        assertEquals(rounds, stats.get("streamOk").asInt(), stats.toString());
        assertEquals(rounds, stats.get("deadlineExceeded").asInt(), "every 30 ms call got DEADLINE_EXCEEDED: " + stats);
        awaitIdle();
    }

    @Test
    void callsResetRightAfterTheirRequestAreCancelledAndNeverAnswered() throws Exception {
        // The client resets each call 20 ms after sending all of it, and the server starts the call on the worker
        // of the @Blocking method (where the guard runs) only 300 ms after it arrived (StartDelayInterceptor), after
        // the event loop processed the reset, as happens on a loaded machine. Vert.x's gRPC bridge does not see a
        // reset after the request ended; only GrpcStreamWatch does. Before the fix Vert.x's endHandler, which also
        // runs on a reset, forgot the stream's watch: such a call decoded to its end and wrote its late answer
        // from the decode side to the dead stream, and the HTTP/2 codec failed the connection (GOAWAY
        // PROTOCOL_ERROR; grpc-js reports "INTERNAL: Received RST_STREAM with code 1" on the calls beside it).
        awaitIdle();
        double completed0 = completed();
        CompletableFuture<Status> beside = new CompletableFuture<>();
        GeneratorGrpc.newStub(channel).generate(longRequest("beside-resets"), new io.grpc.stub.StreamObserver<>() {
            @Override public void onNext(dev.zhyper.proto.v1.GenerateResponse v) { }
            @Override public void onError(Throwable t) { beside.complete(Status.fromThrowable(t)); }
            @Override public void onCompleted() { beside.complete(Status.OK); }
        });
        Metadata late = new Metadata();
        late.put(StartDelayInterceptor.KEY, "300");
        List<ClientCall<GenerateRequest, dev.zhyper.proto.v1.GenerateResponse>> calls = new ArrayList<>();
        List<CompletableFuture<Status>> reset = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ClientCall<GenerateRequest, dev.zhyper.proto.v1.GenerateResponse> call = channel.newCall(
                    GeneratorGrpc.getGenerateMethod(), CallOptions.DEFAULT);
            CompletableFuture<Status> c = new CompletableFuture<>();
            call.start(new ClientCall.Listener<>() {
                @Override public void onClose(Status status, Metadata trailers) { c.complete(status); }
            }, late);
            call.request(1);
            call.sendMessage(longRequest("reset-" + i));
            call.halfClose();
            calls.add(call);
            reset.add(c);
        }
        // the whole request (HEADERS, DATA with END_STREAM) is sent; then RST_STREAM, long before the call starts
        Thread.sleep(20);
        calls.forEach(call -> call.cancel("client gives up", null));
        for (CompletableFuture<Status> c : reset) {
            assertEquals(Status.Code.CANCELLED, c.get(60, TimeUnit.SECONDS).getCode());
        }
        Status st = beside.get(120, TimeUnit.SECONDS);
        assertTrue(st.isOk(), "the call beside the reset ones failed: " + st);
        assertTrue(GeneratorGrpc.newBlockingStub(channel).generate(GenerateRequest.newBuilder().setPrompt("abc")
                .setMaxTokens(4).build()).getCompletionTokens() > 0);
        awaitIdle();
        assertEquals(2, completed() - completed0, "only the 2 ordinary requests completed on the server, none of the "
                + "reset ones");
    }

    @Test
    void aCancelledStreamStopsConsumingDecodeSteps() throws Exception {
        awaitIdle();
        long cancelled0 = batcher.cancelled();
        ClientCall<GenerateRequest, GenerateChunk> call = channel.newCall(GeneratorGrpc.getGenerateStreamMethod(),
                CallOptions.DEFAULT);
        CompletableFuture<Status> closed = new CompletableFuture<>();
        CompletableFuture<Void> firstChunk = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            @Override public void onMessage(GenerateChunk message) { firstChunk.complete(null); call.request(1); }
            @Override public void onClose(Status status, Metadata trailers) { closed.complete(status); }
        }, new Metadata());
        call.request(1);
        call.sendMessage(longRequest("to-cancel"));
        call.halfClose();
        firstChunk.get(60, TimeUnit.SECONDS);
        call.cancel("client gives up", null);
        assertEquals(Status.Code.CANCELLED, closed.get(30, TimeUnit.SECONDS).getCode());
        awaitIdle();
        assertEquals(cancelled0 + 1, batcher.cancelled(), "the server counted the cancellation");
        long steps = batcher.rowSteps();
        Thread.sleep(300);
        assertEquals(steps, batcher.rowSteps(), "nothing decodes any more after the cancelled row left");
        // the channel that carried the cancelled call still works, unary and streaming
        GeneratorGrpc.GeneratorBlockingStub stub = GeneratorGrpc.newBlockingStub(channel);
        assertTrue(stub.generate(GenerateRequest.newBuilder().setPrompt("abc").setMaxTokens(4).build())
                .getCompletionTokens() > 0);
        var it = stub.generateStream(GenerateRequest.newBuilder().setPrompt("abc").setMaxTokens(4).build());
        boolean fin = false;
        while (it.hasNext()) fin |= it.next().hasFinal();
        assertTrue(fin);
    }

    @Test
    void grpcJavaStreamsCancelledAtRandomMomentsNeverBreakTheConnection() throws Exception {
        GeneratorGrpc.GeneratorStub async = GeneratorGrpc.newStub(channel);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newScheduledThreadPool(2);
        List<CompletableFuture<Status>> ordinary = new ArrayList<>();
        List<CompletableFuture<Status>> cancelled = new ArrayList<>();
        try {
            for (int i = 0; i < 24; i++) {
                ClientCall<GenerateRequest, GenerateChunk> call = channel.newCall(
                        GeneratorGrpc.getGenerateStreamMethod(), CallOptions.DEFAULT);
                CompletableFuture<Status> c = new CompletableFuture<>();
                call.start(new ClientCall.Listener<>() {
                    @Override public void onMessage(GenerateChunk m) { call.request(1); }
                    @Override public void onClose(Status status, Metadata trailers) { c.complete(status); }
                }, new Metadata());
                call.request(1);
                call.sendMessage(longRequest("storm-" + i).toBuilder().setMaxTokens(60).build());
                call.halfClose();
                timer.schedule(() -> call.cancel("storm", null), rng.nextInt(60), TimeUnit.MILLISECONDS);
                cancelled.add(c);
                CompletableFuture<Status> o = new CompletableFuture<>();
                async.generate(longRequest("beside-" + i),
                        new io.grpc.stub.StreamObserver<>() {
                            @Override public void onNext(dev.zhyper.proto.v1.GenerateResponse v) { }
                            @Override public void onError(Throwable t) { o.complete(Status.fromThrowable(t)); }
                            @Override public void onCompleted() { o.complete(Status.OK); }
                        });
                ordinary.add(o);
                Thread.sleep(rng.nextInt(15));
            }
            for (CompletableFuture<Status> o : ordinary) {
                Status st = o.get(120, TimeUnit.SECONDS);
                assertTrue(st.isOk(), "an ordinary call beside cancelled streams failed: " + st);
            }
            for (CompletableFuture<Status> c : cancelled) {
                Status st = c.get(120, TimeUnit.SECONDS);
                assertTrue(st.isOk() || st.getCode() == Status.Code.CANCELLED, "cancelled stream: " + st);
            }
        } finally {
            timer.shutdownNow();
        }
        awaitIdle();
    }

    @Test
    void anExpiredCallIsDeadlineExceededAndLeavesTheBatch() throws Exception {
        awaitIdle();
        long cancelled0 = batcher.cancelled();
        double completed0 = completed();
        GeneratorGrpc.GeneratorBlockingStub stub = GeneratorGrpc.newBlockingStub(channel);
        // a deadline a quarter of the time the long request takes here: it reaches the server and expires mid-decode
        long t0 = System.nanoTime();
        stub.generate(longRequest("calibrate"));
        long deadlineMs = Math.max(20, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) / 4);
        completed0 = completed();
        List<CompletableFuture<Status.Code>> expired = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int k = i;
            expired.add(CompletableFuture.supplyAsync(() -> {
                try {
                    stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).generate(longRequest("expire-" + k));
                    return Status.Code.OK;
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode();
                }
            }));
        }
        // ordinary calls on the same connection meanwhile
        for (int i = 0; i < 4; i++) {
            assertTrue(stub.generate(GenerateRequest.newBuilder().setPrompt("abc").setMaxTokens(6).build())
                    .getCompletionTokens() > 0);
        }
        for (CompletableFuture<Status.Code> f : expired) {
            assertEquals(Status.Code.DEADLINE_EXCEEDED, f.get(60, TimeUnit.SECONDS));
        }
        awaitIdle();
        // none of the expired requests decoded to its end (a call can expire on the client before it is sent)
        assertEquals(4, completed() - completed0, "only the 4 ordinary requests completed on the server");
        assertTrue(batcher.cancelled() >= cancelled0 + 1, "the server cancelled the expired requests");
    }

    /** Requests the server completed (zhyper_generator_requests_total over all arms and finish reasons). */
    private double completed() {
        return registry.find("zhyper.generator.requests").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    @Test
    void invalidUtf8BlankPromptsAndUnboundedStopsAreInvalidArgument() {
        // prompt (field 3) with bytes that are not UTF-8, sent raw: proto3 parsers refuse the string
        byte[] bad = {0x1a, 0x03, 'a', (byte) 0xff, (byte) 0xfe, 0x38, 0x04};
        MethodDescriptor<byte[], byte[]> raw = GeneratorGrpc.getGenerateMethod().toBuilder(new Bytes(), new Bytes())
                .build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT, bad));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
        assertTrue(e.getStatus().getDescription().contains("UTF-8"), e.toString());
        GeneratorGrpc.GeneratorBlockingStub stub = GeneratorGrpc.newBlockingStub(channel);
        assertInvalid(stub, GenerateRequest.newBuilder().setPrompt(" \n\t ").build(), "blank");
        GenerateRequest.Builder many = GenerateRequest.newBuilder().setPrompt("abc");
        for (int i = 0; i < 9; i++) many.addStop("s" + i);
        assertInvalid(stub, many.build(), "zhyper.generate.max-stop-strings 8");
        assertInvalid(stub, GenerateRequest.newBuilder().setPrompt("abc").addStop("x".repeat(65)).build(),
                "zhyper.generate.max-stop-chars 64");
        // the connection is fine afterwards
        assertTrue(stub.generate(GenerateRequest.newBuilder().setPrompt("abc").setMaxTokens(3).build())
                .getCompletionTokens() > 0);
    }

    private static void assertInvalid(GeneratorGrpc.GeneratorBlockingStub stub, GenerateRequest r, String part) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.generate(r));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
        assertTrue(e.getStatus().getDescription().contains(part), e.getStatus().getDescription());
    }

    private void awaitIdle() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((batcher.active() > 0 || batcher.depth() > 0) && System.nanoTime() < end) Thread.sleep(20);
        assertEquals(0, batcher.active(), "rows left in the decode loop");
    }

    /** Raw message bytes. */
    static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override public InputStream stream(byte[] value) { return new ByteArrayInputStream(value); }

        @Override public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static Path protoRoot() {
        Path p = Path.of("..", "proto", "src", "main", "proto").toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(p), "proto sources at " + p);
        return p;
    }

    /**
     * Runs a script of src/test/node with node, after {@code npm install} of its package.json into target/grpc-js
     * (once; needs node and npm, which .ci/run installs). Returns the JSON its last output line prints.
     */
    static JsonNode runNode(String script, String... args) throws Exception {
        Path src = Path.of("src", "test", "node").toAbsolutePath();
        Path dir = Path.of("target", "grpc-js").toAbsolutePath();
        Files.createDirectories(dir);
        Files.copy(src.resolve("package.json"), dir.resolve("package.json"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(src.resolve(script), dir.resolve(script), StandardCopyOption.REPLACE_EXISTING);
        if (!Files.isDirectory(dir.resolve("node_modules/@grpc/grpc-js"))) {
            exec(dir, 300, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error");
        }
        List<String> cmd = new ArrayList<>(List.of("node", script));
        cmd.addAll(List.of(args));
        String out = exec(dir, 300, cmd.toArray(String[]::new));
        String[] lines = out.strip().split("\n");
        return new ObjectMapper().readTree(lines[lines.length - 1]);
    }

    private static String exec(Path dir, int timeoutS, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> {
            try {
                p.getInputStream().transferTo(buf);
            } catch (IOException ignored) {
                // process ended
            }
        });
        pump.start();
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in " + timeoutS + " s: " + buf);
        }
        pump.join(5000);
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed: " + out);
        return out;
    }
}
