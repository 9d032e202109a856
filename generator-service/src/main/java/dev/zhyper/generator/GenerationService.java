package dev.zhyper.generator;

import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.engine.ZhyperEngine;
import dev.zhyper.core.generate.GenerationRequest;
import dev.zhyper.core.generate.GenerationResult;
import dev.zhyper.core.generate.PromptTooLong;
import dev.zhyper.core.generate.SamplingParams;
import dev.zhyper.proto.v1.ChatMessage;
import dev.zhyper.proto.v1.GenerateRequest;
import dev.zhyper.proto.v1.GenerateResponse;
import dev.zhyper.proto.v1.Sampling;
import dev.zhyper.proto.v1.Timings;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The request path shared by gRPC (and any other front end): validate → choose the A/B arm → acquire its engine →
 * modulate the context → tokenize → queue in the {@link Batcher} → build the response and publish the
 * GenerationEvent.
 *
 * <p>Chat input is simplified to a single turn: the LAST {@code user} message is rendered through the model's chat
 * template together with the system text (the request's {@code system}, or else the conversation's first
 * {@code system} message); earlier turns are not part of the prompt.
 */
@ApplicationScoped
public class GenerationService {

    @Inject
    GeneratorSettings settings;

    @Inject
    Serving serving;

    @Inject
    Batcher batcher;

    @Inject
    Modulations modulations;

    @Inject
    GenerationEvents events;

    @Inject
    MeterRegistry registry;

    /**
     * A request in flight: its future completes with the response (or a StatusRuntimeException). Cancelling the
     * future ({@code response().cancel(..)}, or {@link #cancel()}) cancels the request: it leaves the queue, or its
     * row leaves the batch at the next decode step.
     */
    public record Pending(String requestId, CompletableFuture<GenerateResponse> response) {
        /** Cancels the request (no-op once it completed). */
        public void cancel() {
            response.cancel(false);
        }
    }

    /** Builds responses and publishes events off the decode thread (a Kafka send may block). */
    private final java.util.concurrent.Executor responses = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "zhyper-responses");
        t.setDaemon(true);
        return t;
    });

    /**
     * Validates and queues a request. Throws StatusRuntimeException for invalid/refused requests (nothing queued).
     *
     * @param onDelta receives decoded text deltas (null for unary calls)
     */
    public Pending submit(GenerateRequest r, Consumer<String> onDelta) {
        return submit(r, onDelta, Long.MAX_VALUE);
    }

    /**
     * As {@link #submit(GenerateRequest, Consumer)} with a deadline (System.nanoTime(); Long.MAX_VALUE = none): a
     * request still queued or decoding when it passes fails with DEADLINE_EXCEEDED and stops decoding.
     */
    public Pending submit(GenerateRequest r, Consumer<String> onDelta, long deadlineNanos) {
        long arrival = System.nanoTime();
        String requestId = r.getRequestId().isBlank() ? UUID.randomUUID().toString() : r.getRequestId();
        String[] turn = validate(r);
        String system = turn[0];
        String user = turn[1];
        SamplingParams sampling = sampling(r);
        String abKey = r.getAbKey().isEmpty() ? requestId : r.getAbKey();
        Serving.Route route = serving.route(abKey); // arm + its engine, atomically (the canary changes arms)
        String arm = route.arm();
        EngineHandle handle = route.handle();
        boolean queued = false;
        try {
            ZhyperEngine engine = handle.engine();
            long m0 = System.nanoTime();
            ContextModulation z = switch (r.getContextCase()) {
                case DESCRIPTION -> modulations.modulate(handle, r.getDescription(), null);
                case CONTEXT_ID -> modulations.modulate(handle, null, r.getContextId());
                default -> null;
            };
            long modulateMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - m0);
            int positions = engine.base().config().maxPositions();
            int[] promptIds = engine.tokenizer().encode(engine.template().render(system, user), false);
            int maxTokens = r.getMaxTokens() == 0
                    ? Math.max(1, Math.min(settings.defaultMaxTokens, positions - promptIds.length))
                    : r.getMaxTokens();
            try {
                PromptTooLong.check(promptIds.length, maxTokens, positions);
            } catch (PromptTooLong e) { // the cause tells the OpenAI API which field is at fault
                throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).withCause(e).asRuntimeException();
            }
            GenerationRequest gr = engine.request(system, user, z, sampling, maxTokens, r.getStopList());
            Batcher.Job job = new Batcher.Job(requestId, arm, handle, gr, onDelta, deadlineNanos);
            CompletableFuture<Batcher.Outcome> f = batcher.submit(job);
            queued = true;
            String context = switch (r.getContextCase()) {
                case DESCRIPTION -> r.getDescription();
                case CONTEXT_ID -> "id:" + r.getContextId();
                default -> "";
            };
            CompletableFuture<GenerateResponse> resp = f.thenApplyAsync(o -> {
                GenerateResponse out = response(requestId, arm, o, modulateMs, arrival);
                registry.counter("zhyper.generator.requests", "arm", arm, "finish", out.getFinishReason()).increment();
                registry.timer("zhyper.generator.request.latency", "arm", arm)
                        .record(out.getTimings().getTotalMs(), TimeUnit.MILLISECONDS);
                events.publish(out, context, user);
                return out;
            }, responses);
            // the caller cancelling the response cancels the request (its row leaves the batch at the next step)
            resp.whenComplete((o, e) -> {
                if (resp.isCancelled()) job.cancel();
            });
            return new Pending(requestId, resp);
        } finally {
            if (!queued) handle.release();
        }
    }

    private static GenerateResponse response(String requestId, String arm, Batcher.Outcome o, long modulateMs,
                                             long arrival) {
        GenerationResult g = o.result();
        return GenerateResponse.newBuilder()
                .setRequestId(requestId)
                .setText(g.text())
                .setPromptTokens(g.promptTokens())
                .setCompletionTokens(g.tokens().length)
                .setCheckpointId(o.checkpointId() == null ? "" : o.checkpointId())
                .setArm(arm)
                .setFinishReason(g.finishReason() == GenerationResult.FinishReason.STOP ? "stop" : "length")
                .setTimings(Timings.newBuilder().setQueueMs(o.queueMs()).setModulateMs(modulateMs)
                        .setPrefillMs(o.prefillMs()).setDecodeMs(o.decodeMs())
                        .setTotalMs(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - arrival)))
                .build();
    }

    /** Checks the request; returns {system, user text}. */
    String[] validate(GenerateRequest r) {
        String system = r.getSystem().isEmpty() ? null : r.getSystem();
        String user;
        switch (r.getInputCase()) {
            case PROMPT -> user = r.getPrompt();
            case MESSAGES -> {
                user = null;
                for (ChatMessage m : r.getMessages().getMessagesList()) {
                    String role = m.getRole().trim().toLowerCase(java.util.Locale.ROOT);
                    if (!List.of("system", "user", "assistant").contains(role)) {
                        throw invalid("messages: unknown role '" + m.getRole() + "' (system, user, assistant)");
                    }
                    if (role.equals("user")) user = m.getContent();
                    if (role.equals("system") && system == null) system = m.getContent();
                }
                if (user == null) throw invalid("messages must contain a user message");
            }
            default -> throw invalid("an input is required: set prompt or messages");
        }
        if (user.isEmpty()) throw invalid("the prompt is empty");
        if (user.isBlank()) throw invalid("the prompt is blank (whitespace only)");
        int chars = user.length() + (system == null ? 0 : system.length());
        if (chars > settings.maxPromptChars) {
            throw invalid("prompt too long: " + chars + " characters (prompt + system) > zhyper.generate.max-prompt-chars "
                    + settings.maxPromptChars);
        }
        if (r.getMaxTokens() < 0 || r.getMaxTokens() > settings.maxTokensLimit) {
            throw invalid("max_tokens must be in [1, " + settings.maxTokensLimit + "] (0 = server default "
                    + settings.defaultMaxTokens + "), got " + r.getMaxTokens());
        }
        if (r.getContextCase() == GenerateRequest.ContextCase.DESCRIPTION && r.getDescription().isBlank()) {
            throw invalid("description is blank");
        }
        if (r.getContextCase() == GenerateRequest.ContextCase.CONTEXT_ID && r.getContextId().isBlank()) {
            throw invalid("context_id is blank");
        }
        if (r.getStopCount() > settings.maxStopStrings) {
            throw invalid("too many stop strings: " + r.getStopCount() + " > zhyper.generate.max-stop-strings "
                    + settings.maxStopStrings);
        }
        for (String s : r.getStopList()) {
            if (s.isEmpty()) throw invalid("stop strings must not be empty");
            if (s.length() > settings.maxStopChars) {
                throw invalid("stop string too long: " + s.length() + " characters > zhyper.generate.max-stop-chars "
                        + settings.maxStopChars);
            }
        }
        return new String[] {system, user};
    }

    /** Proto sampling → core SamplingParams; top_p 0 means 1 (no nucleus filtering). */
    static SamplingParams sampling(GenerateRequest r) {
        if (!r.hasSampling()) return SamplingParams.greedy();
        Sampling s = r.getSampling();
        if (!(s.getTemperature() >= 0)) throw invalid("temperature must be >= 0, got " + s.getTemperature());
        if (s.getTopK() < 0) throw invalid("top_k must be >= 0, got " + s.getTopK());
        if (!(s.getTopP() >= 0) || s.getTopP() > 1) throw invalid("top_p must be in (0, 1] (0 = 1), got " + s.getTopP());
        try {
            return new SamplingParams(s.getTemperature(), s.getTopK(), s.getTopP() == 0f ? 1f : s.getTopP(), s.getSeed());
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
}
