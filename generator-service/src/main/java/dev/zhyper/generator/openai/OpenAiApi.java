package dev.zhyper.generator.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.generator.GenerationService;
import dev.zhyper.proto.v1.GenerateResponse;
import dev.zhyper.service.common.GrpcErrors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The OpenAI-compatible HTTP API on the generator's HTTP port (beside gRPC on the same port):
 * {@code POST /v1/chat/completions}, {@code POST /v1/completions} (both also as server-sent events with
 * {@code stream: true}, ending in {@code data: [DONE]}), {@code GET /v1/models}, {@code GET /v1/models/{id}}.
 *
 * <p>A request is parsed into a {@code zhyper.v1.GenerateRequest} ({@link OpenAiRequest}) and goes through the
 * same request path as gRPC ({@link GenerationService#submit}), on a worker thread (modulation and tokenization
 * block). When the client disconnects before the answer is complete (also mid-stream), the request's pending
 * future is cancelled ({@code cancel(false)}), which takes it out of its batch. Errors are OpenAI error objects
 * ({@link OpenAiError}); no stack trace or HTML reaches the client.
 */
@ApplicationScoped
public class OpenAiApi {

    private static final Logger LOG = Logger.getLogger(OpenAiApi.class);

    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final Set<String> PATHS = Set.of("/v1/chat/completions", "/v1/completions", "/v1/models");

    @Inject
    GenerationService service;

    @Inject
    ServedModels models;

    @Inject
    MeterRegistry registry;

    /** Largest accepted request body (bytes); larger is 413. */
    @ConfigProperty(name = "zhyper.openai.max-body-bytes", defaultValue = "1048576")
    long maxBodyBytes;

    private final ConcurrentMap<String, GenerationService.Pending> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong abandoned = new AtomicLong();

    void routes(@Observes Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        router.post("/v1/chat/completions").handler(body).handler(ctx -> generate(ctx, OpenAiRequest.Kind.CHAT))
                .failureHandler(this::failure);
        router.post("/v1/completions").handler(body).handler(ctx -> generate(ctx, OpenAiRequest.Kind.COMPLETION))
                .failureHandler(this::failure);
        router.get("/v1/models").handler(ctx -> send(ctx.response(), 200,
                OpenAiJson.models(models.entries(), models.created())));
        router.get("/v1/models/:id").handler(ctx -> {
            String id = ctx.pathParam("id");
            models.entry(id).ifPresentOrElse(e -> send(ctx.response(), 200, OpenAiJson.model(e, models.created())),
                    () -> send(ctx.response(), 404, OpenAiError.modelNotFound(id).toJson()));
        });
        router.route("/v1/*").handler(ctx -> {
            String path = ctx.normalizedPath();
            OpenAiError e = PATHS.contains(path)
                    ? new OpenAiError(405, "invalid_request_error", "Method " + ctx.request().method() + " is not "
                    + "allowed on " + path, null, "method_not_allowed")
                    : new OpenAiError(404, "invalid_request_error", "Unknown path " + path + " (served: "
                    + "POST /v1/chat/completions, POST /v1/completions, GET /v1/models)", null, "unknown_url");
            send(ctx.response(), e.httpStatus(), e.toJson());
        });
    }

    /** The pending request {@code requestId} while it is in flight (tests: the abandonment contract). */
    public Optional<GenerationService.Pending> inFlight(String requestId) {
        return Optional.ofNullable(inFlight.get(requestId));
    }

    /** Requests cancelled because their client went away before the answer was complete. */
    public long abandoned() {
        return abandoned.get();
    }

    private void failure(RoutingContext ctx) {
        int status = ctx.statusCode();
        OpenAiError e = status == 413
                ? new OpenAiError(413, "invalid_request_error", "Request body too large (more than "
                + "zhyper.openai.max-body-bytes " + maxBodyBytes + " bytes)", null, "request_too_large")
                : new OpenAiError(500, "server_error", "internal error: " + ctx.failure(), null, null);
        if (status != 413) LOG.warn("OpenAI API request failed", ctx.failure());
        send(ctx.response(), e.httpStatus(), e.toJson());
    }

    private void generate(RoutingContext ctx, OpenAiRequest.Kind kind) {
        Call call = new Call(ctx, Vertx.currentContext(), kind);
        ctx.response().closeHandler(v -> call.abandon());
        ctx.response().exceptionHandler(t -> call.abandon());
        ctx.vertx().executeBlocking(() -> {
            call.run();
            return null;
        }, false).onFailure(t -> {
            LOG.warn("OpenAI API request failed", t);
            call.fail(new OpenAiError(500, "server_error", "internal error: " + t, null, null));
        });
    }

    /** One HTTP request from parse to the last byte. */
    private final class Call {
        final RoutingContext ctx;
        final Context eventLoop;
        final OpenAiRequest.Kind kind;
        final String requestId = UUID.randomUUID().toString();
        final EventStream stream;
        volatile boolean gone;
        final AtomicBoolean cancelled = new AtomicBoolean();
        volatile GenerationService.Pending pending;
        OpenAiRequest request;

        Call(RoutingContext ctx, Context eventLoop, OpenAiRequest.Kind kind) {
            this.ctx = ctx;
            this.eventLoop = eventLoop;
            this.kind = kind;
            this.stream = new EventStream(ctx.response(), eventLoop);
        }

        /** On a worker thread: parse, submit, and answer when the request completes. */
        void run() {
            long created = System.currentTimeMillis() / 1000;
            try {
                request = OpenAiRequest.parse(kind, parseBody(ctx.body().buffer()), models, requestId);
            } catch (OpenAiError e) {
                fail(e);
                return;
            }
            if (gone) return;
            OpenAiJson.Head head = new OpenAiJson.Head(kind, requestId, created,
                    request.model() == null ? models.baseName() : request.model());
            boolean streaming = request.stream();
            boolean usage = request.includeUsage();
            GenerationService.Pending p;
            try {
                p = service.submit(request.generate(), streaming
                        ? delta -> {
                            if (!delta.isEmpty()) stream.data(OpenAiJson.delta(head, delta, false, usage).toString());
                        }
                        : null);
            } catch (OpenAiError e) {
                fail(e);
                return;
            } catch (RuntimeException e) {
                fail(error(e));
                return;
            }
            inFlight.put(requestId, p);
            pending = p;
            if (streaming) {
                String first = kind == OpenAiRequest.Kind.CHAT
                        ? OpenAiJson.delta(head, "", true, usage).toString() : null;
                stream.open(requestId, first);
            }
            p.response().whenComplete((r, t) -> {
                inFlight.remove(requestId);
                if (streaming) finishStream(head, r, t);
                else finish(head, r, t);
            });
            if (gone) abandon();
        }

        void finish(OpenAiJson.Head head, GenerateResponse r, Throwable t) {
            if (t == null) {
                eventLoop.runOnContext(v -> {
                    HttpServerResponse response = ctx.response();
                    if (response.ended() || response.closed()) return;
                    response.putHeader("X-Request-Id", requestId);
                    send(response, 200, OpenAiJson.completion(head, r));
                });
            } else if (!(t instanceof CancellationException)) {
                fail(error(t));
            }
        }

        void finishStream(OpenAiJson.Head head, GenerateResponse r, Throwable t) {
            if (t == null) {
                stream.data(OpenAiJson.finish(head, r, request.includeUsage()).toString());
                if (request.includeUsage()) stream.data(OpenAiJson.usageChunk(head, r).toString());
                stream.end("[DONE]");
            } else if (t instanceof CancellationException) {
                stream.drop();
            } else {
                stream.end(error(t).toJson().toString());
            }
        }

        /** An error before the stream opened: a plain JSON error response. */
        void fail(OpenAiError e) {
            eventLoop.runOnContext(v -> send(ctx.response(), e.httpStatus(), e.toJson()));
        }

        /** The client went away: cancel the request (it leaves its batch) and write nothing more. */
        void abandon() {
            gone = true;
            stream.drop();
            GenerationService.Pending p = pending;
            // cancel(false) also answers true when already cancelled: count the first cancellation only
            if (p != null && !p.response().isDone() && cancelled.compareAndSet(false, true)
                    && p.response().cancel(false)) {
                abandoned.incrementAndGet();
                registry.counter("zhyper.generator.openai.abandoned").increment();
                LOG.debugf("client went away: request %s cancelled", requestId);
            }
        }

        OpenAiError error(Throwable t) {
            if (t instanceof OpenAiError e) return e;
            StatusRuntimeException u = GrpcErrors.toStatus(t);
            Status s = u.getStatus();
            if (s.getCode() == Status.Code.INTERNAL || s.getCode() == Status.Code.UNKNOWN) {
                LOG.warnf(u, "OpenAI API request %s failed", requestId);
            }
            return OpenAiError.fromStatus(s, request != null && request.contextFromModel(), kind.input);
        }
    }

    /** The request body as JSON; 400 ({@link OpenAiError}) when it is not. */
    public static JsonNode parseBody(Buffer buffer) {
        if (buffer == null || buffer.length() == 0) {
            throw OpenAiError.invalid("The request body is empty: send a JSON object", null);
        }
        try {
            return JSON.readTree(buffer.getBytes());
        } catch (JsonProcessingException e) {
            throw OpenAiError.invalid("We could not parse the JSON body of your request: " + e.getOriginalMessage(),
                    null);
        } catch (java.io.IOException e) {
            throw OpenAiError.invalid("We could not read the body of your request: " + e.getMessage(), null);
        }
    }

    static void send(HttpServerResponse response, int status, ObjectNode json) {
        if (response.ended() || response.closed()) return;
        if (status == 429) response.putHeader("Retry-After", "1");
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(json.toString());
    }
}
