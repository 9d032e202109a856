package dev.zhyper.generator.openai;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.core.generate.PromptTooLong;
import io.grpc.Status;

/**
 * A refused or failed OpenAI-API request: the HTTP status and OpenAI's error object
 * {@code {"error": {"message", "type", "param", "code"}}}.
 *
 * <p>gRPC status → HTTP status (the request path is shared with the gRPC API, see {@link #fromStatus}):
 * INVALID_ARGUMENT → 400 {@code invalid_request_error}; NOT_FOUND → 404 ({@code model_not_found} when the context
 * id came from {@code model}); FAILED_PRECONDITION (e.g. a context but no adapter checkpoint loaded) → 409
 * (the server's state, not the request, is what has to change); RESOURCE_EXHAUSTED (queue full) → 429;
 * DEADLINE_EXCEEDED → 504; UNAVAILABLE (remote hypernet down) → 503; anything else → 500 {@code server_error}.
 * A prompt too long for the model ({@link PromptTooLong}, the status's cause) is about {@code max_tokens}.
 */
public final class OpenAiError extends RuntimeException {

    private final int httpStatus;
    private final String type;
    private final String param;
    private final String code;

    public OpenAiError(int httpStatus, String type, String message, String param, String code) {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400 invalid_request_error about {@code param} (may be null). */
    public static OpenAiError invalid(String message, String param) {
        return new OpenAiError(400, "invalid_request_error", message, param, null);
    }

    /** 404 model_not_found. */
    public static OpenAiError modelNotFound(String model) {
        return new OpenAiError(404, "invalid_request_error", "The model '" + model + "' does not exist: it is "
                + "neither a served model (GET /v1/models) nor a registered context id", "model", "model_not_found");
    }

    /**
     * The error of a gRPC status from the shared request path.
     *
     * @param contextFromModel the request's context id came from its {@code model} field
     * @param inputParam       the name of the request's input field ({@code messages} or {@code prompt})
     */
    public static OpenAiError fromStatus(Status s, boolean contextFromModel, String inputParam) {
        String msg = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
        return switch (s.getCode()) {
            case INVALID_ARGUMENT -> invalid(msg, s.getCause() instanceof PromptTooLong ? "max_tokens"
                    : paramOf(msg, inputParam));
            case NOT_FOUND -> contextFromModel && msg.startsWith("unknown context_id '")
                    ? modelNotFound(msg.substring("unknown context_id '".length(), msg.length() - 1))
                    : new OpenAiError(404, "invalid_request_error", msg, null, "not_found");
            case FAILED_PRECONDITION -> new OpenAiError(409, "invalid_request_error", msg,
                    contextFromModel ? "model" : "description", "failed_precondition");
            case RESOURCE_EXHAUSTED -> new OpenAiError(429, "rate_limit_error", msg, null, "rate_limit_exceeded");
            case DEADLINE_EXCEEDED -> new OpenAiError(504, "timeout_error", msg, null, "deadline_exceeded");
            case UNAVAILABLE -> new OpenAiError(503, "server_error", msg, null, "unavailable");
            default -> new OpenAiError(500, "server_error", "internal error: " + msg, null, null);
        };
    }

    /** The request field an INVALID_ARGUMENT message of the request path is about (null if none stands out). */
    static String paramOf(String msg, String inputParam) {
        if (msg.startsWith("max_tokens")) return "max_tokens";
        if (msg.startsWith("temperature")) return "temperature";
        if (msg.startsWith("top_p")) return "top_p";
        if (msg.startsWith("top_k")) return "top_k";
        if (msg.startsWith("stop")) return "stop";
        if (msg.startsWith("description") || msg.startsWith("cannot modulate")) return "description";
        if (msg.startsWith("context_id")) return "model";
        if (msg.startsWith("messages") || msg.startsWith("prompt") || msg.startsWith("the prompt")
                || msg.startsWith("an input")) return inputParam;
        return null;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** {@code {"error": {"message", "type", "param", "code"}}}. */
    public ObjectNode toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", getMessage());
        e.put("type", type);
        e.put("param", param);
        e.put("code", code);
        return root;
    }
}
