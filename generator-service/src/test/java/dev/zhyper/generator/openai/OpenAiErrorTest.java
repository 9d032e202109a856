package dev.zhyper.generator.openai;

import dev.zhyper.core.generate.PromptTooLong;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gRPC status of the shared request path → OpenAI error (HTTP status, type, param, code). */
class OpenAiErrorTest {

    @Test
    void statusesMapToHttpStatusesAndOpenAiTypes() {
        OpenAiError e = OpenAiError.fromStatus(Status.INVALID_ARGUMENT.withDescription("max_tokens must be in [1, 1024]"),
                false, "messages");
        assertEquals(400, e.httpStatus());
        assertEquals("invalid_request_error", e.type());
        assertEquals("max_tokens", e.param());

        e = OpenAiError.fromStatus(Status.INVALID_ARGUMENT.withDescription("the prompt is empty"), false, "prompt");
        assertEquals("prompt", e.param());

        e = OpenAiError.fromStatus(Status.NOT_FOUND.withDescription("unknown context_id 'ctx-9'"), true, "prompt");
        assertEquals(404, e.httpStatus());
        assertEquals("model_not_found", e.code());
        assertEquals("model", e.param());
        assertTrue(e.getMessage().contains("'ctx-9' does not exist"), e.getMessage());

        e = OpenAiError.fromStatus(Status.FAILED_PRECONDITION.withDescription("a context was given but no adapter "
                + "checkpoint is loaded"), false, "messages");
        assertEquals(409, e.httpStatus());
        assertEquals("description", e.param());
        assertEquals("failed_precondition", e.code());

        e = OpenAiError.fromStatus(Status.RESOURCE_EXHAUSTED.withDescription("queue full"), false, "messages");
        assertEquals(429, e.httpStatus());
        assertEquals("rate_limit_error", e.type());

        assertEquals(504, OpenAiError.fromStatus(Status.DEADLINE_EXCEEDED, false, "prompt").httpStatus());
        assertEquals(503, OpenAiError.fromStatus(Status.UNAVAILABLE, false, "prompt").httpStatus());
        e = OpenAiError.fromStatus(Status.INTERNAL.withDescription("boom"), false, "prompt");
        assertEquals(500, e.httpStatus());
        assertEquals("server_error", e.type());
        assertNull(e.param());
    }

    @Test
    void aPromptTooLongForTheModelIsAboutMaxTokensByItsType() {
        PromptTooLong tooLong = assertThrows(PromptTooLong.class, () -> PromptTooLong.check(1000, 100, 1024));
        OpenAiError e = OpenAiError.fromStatus(Status.INVALID_ARGUMENT.withDescription(tooLong.getMessage())
                .withCause(tooLong), false, "messages");
        assertEquals(400, e.httpStatus());
        assertEquals("max_tokens", e.param());
        assertEquals(tooLong.getMessage(), e.getMessage());
    }

    @Test
    void theJsonHasOpenAisShape() {
        var json = OpenAiError.invalid("n must be 1", "n").toJson();
        assertEquals("n must be 1", json.path("error").path("message").asText());
        assertEquals("invalid_request_error", json.path("error").path("type").asText());
        assertEquals("n", json.path("error").path("param").asText());
        assertTrue(json.path("error").has("code") && json.path("error").get("code").isNull());
    }
}
