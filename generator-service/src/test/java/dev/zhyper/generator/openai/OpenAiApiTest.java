package dev.zhyper.generator.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import dev.zhyper.generator.GenerationService;
import dev.zhyper.generator.Serving;
import dev.zhyper.generator.TinyModelResource;
import dev.zhyper.proto.v1.ChatMessage;
import dev.zhyper.proto.v1.ChatMessages;
import dev.zhyper.proto.v1.GenerateRequest;
import dev.zhyper.proto.v1.GenerateResponse;
import dev.zhyper.proto.v1.GeneratorGrpc;
import dev.zhyper.service.common.KafkaBrokerResource;
import dev.zhyper.service.common.ZhyperCaches;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAI-compatible API through the official OpenAI Java SDK (and plain HTTP for the error shapes), against the
 * service on a tiny random model with two checkpoint arms, compared with the gRPC API on the same port.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(TinyModelResource.class)
class OpenAiApiTest {

    static final List<String> DESCRIPTIONS = TinyModelResource.DESCRIPTIONS;

    @TestHTTPResource("/v1")
    URL v1;

    @GrpcClient("generator")
    GeneratorGrpc.GeneratorBlockingStub grpc;

    @Inject
    Serving serving;

    @Inject
    ZhyperCaches caches;

    @Inject
    OpenAiApi api;

    OpenAIClient client;

    @BeforeEach
    void client() {
        client = OpenAIOkHttpClient.builder().baseUrl(v1.toString()).apiKey("not-checked").maxRetries(0).build();
    }

    @AfterEach
    void close() {
        client.close();
    }

    /** A key that the chooser sends to {@code arm}. */
    String keyFor(String arm) {
        for (int i = 0; ; i++) {
            if (serving.chooser().choose("key-" + i).name().equals(arm)) return "key-" + i;
        }
    }

    ChatCompletionCreateParams.Builder chat(String description, String user, long maxTokens) {
        ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model("model")
                .addSystemMessage("be nice").addUserMessage("abc").maxCompletionTokens(maxTokens).temperature(0.0)
                .user(user);
        if (description != null) b.putAdditionalBodyProperty("description", JsonValue.from(description));
        return b;
    }

    CompletionCreateParams.Builder completion(String description, String user, long maxTokens) {
        CompletionCreateParams.Builder b = CompletionCreateParams.builder().model("model").prompt("abc")
                .maxTokens(maxTokens).temperature(0.0).user(user);
        if (description != null) b.putAdditionalBodyProperty("description", JsonValue.from(description));
        return b;
    }

    GenerateResponse viaGrpc(String description, String user, int maxTokens, boolean chat) {
        GenerateRequest.Builder r = GenerateRequest.newBuilder().setAbKey(user).setMaxTokens(maxTokens);
        if (chat) {
            r.setMessages(ChatMessages.newBuilder()
                    .addMessages(ChatMessage.newBuilder().setRole("system").setContent("be nice"))
                    .addMessages(ChatMessage.newBuilder().setRole("user").setContent("abc")));
        } else {
            r.setPrompt("abc");
        }
        if (description != null) r.setDescription(description);
        return grpc.generate(r.build());
    }

    @Test
    void modelsListTheBaseModelAndTheServedCheckpoints() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();
        assertEquals("model", ids.get(0), "the base model (zhyper.model.dir's name) first: " + ids);
        assertTrue(ids.containsAll(serving.armCheckpoints().values()), ids + " lists " + serving.armCheckpoints());
        assertEquals(ids.size(), ids.stream().distinct().count());
        given().get("/v1/models").then().statusCode(200).body("object", equalTo("list"))
                .body("data[0].object", equalTo("model")).body("data[0].owned_by", equalTo("zhyper"));
        String ckpt = serving.armCheckpoints().get("control");
        assertEquals(ckpt, client.models().retrieve(ckpt).id());
        given().get("/v1/models/nope").then().statusCode(404).body("error.code", equalTo("model_not_found"));
    }

    @Test
    void chatMatchesGrpcAndStreamingMatchesNonStreaming() {
        String key = keyFor("control");
        List<String> texts = new ArrayList<>();
        for (String d : new String[] {null, DESCRIPTIONS.get(0), DESCRIPTIONS.get(1)}) {
            GenerateResponse ref = viaGrpc(d, key, 12, true);
            ChatCompletion c = client.chat().completions().create(chat(d, key, 12).build());
            String text = c.choices().get(0).message().content().orElseThrow();
            assertEquals(ref.getText(), text, "HTTP and gRPC answer alike (" + d + ")");
            assertEquals(ref.getFinishReason(), c.choices().get(0).finishReason().asString());
            assertEquals(ref.getCompletionTokens() == 12 ? "length" : "stop", c.choices().get(0).finishReason().asString());
            CompletionUsage u = c.usage().orElseThrow();
            assertEquals(ref.getPromptTokens(), u.promptTokens());
            assertEquals(ref.getCompletionTokens(), u.completionTokens());
            assertEquals(u.promptTokens() + u.completionTokens(), u.totalTokens());
            assertEquals(ref.getCheckpointId(), c.systemFingerprint().orElseThrow(), "served by the control checkpoint");
            assertTrue(c.id().startsWith("chatcmpl-"), c.id());
            assertEquals("model", c.model());
            texts.add(text);

            StringBuilder streamed = new StringBuilder();
            List<String> finishes = new ArrayList<>();
            Optional<CompletionUsage> streamedUsage = Optional.empty();
            int chunks = 0;
            try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(chat(d, key, 12)
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
                for (Iterator<ChatCompletionChunk> it = s.stream().iterator(); it.hasNext(); ) {
                    ChatCompletionChunk k = it.next();
                    chunks++;
                    assertEquals(c.id().length(), k.id().length());
                    if (k.usage().isPresent()) {
                        assertTrue(k.choices().isEmpty(), "the usage chunk has no choices");
                        streamedUsage = k.usage();
                        continue;
                    }
                    ChatCompletionChunk.Choice ch = k.choices().get(0);
                    ch.delta().content().ifPresent(streamed::append);
                    ch.finishReason().ifPresent(f -> finishes.add(f.asString()));
                }
            }
            assertEquals(text, streamed.toString(), "streamed = non-streamed under greedy decoding (" + d + ")");
            assertEquals(List.of(c.choices().get(0).finishReason().asString()), finishes, "one finish reason, last");
            assertEquals(u.totalTokens(), streamedUsage.orElseThrow().totalTokens());
            assertTrue(chunks >= 3, "role chunk, deltas, finish, usage: " + chunks);
        }
        assertTrue(texts.stream().distinct().count() > 1, "the description changes the answer: " + texts);
    }

    @Test
    void completionsMatchGrpcAndStreamingMatchesNonStreaming() {
        String key = keyFor("treatment");
        for (String d : new String[] {null, DESCRIPTIONS.get(2)}) {
            GenerateResponse ref = viaGrpc(d, key, 10, false);
            Completion c = client.completions().create(completion(d, key, 10).build());
            assertEquals(ref.getText(), c.choices().get(0).text());
            assertEquals(ref.getFinishReason(), c.choices().get(0).finishReason().asString());
            assertEquals(ref.getCompletionTokens(), c.usage().orElseThrow().completionTokens());
            assertEquals(ref.getPromptTokens(), c.usage().orElseThrow().promptTokens());
            assertEquals(ref.getCheckpointId(), c.systemFingerprint().orElseThrow(), "served by the treatment arm");
            assertTrue(c.id().startsWith("cmpl-"), c.id());

            StringBuilder streamed = new StringBuilder();
            List<String> finishes = new ArrayList<>();
            try (StreamResponse<Completion> s = client.completions().createStreaming(completion(d, key, 10).build())) {
                s.stream().forEach(k -> {
                    assertTrue(k.usage().isEmpty(), "no usage without stream_options.include_usage");
                    streamed.append(k.choices().get(0).text());
                    k.choices().get(0)._finishReason().asKnown().ifPresent(f -> finishes.add(f.asString()));
                });
            }
            assertEquals(c.choices().get(0).text(), streamed.toString(), "streamed = non-streamed (" + d + ")");
            assertEquals(List.of(c.choices().get(0).finishReason().asString()), finishes);
        }
    }

    @Test
    void modelNamesARegisteredContextAndStopSeedAndLengthWork() {
        String key = keyFor("control");
        caches.cache(ZhyperCaches.CONTEXTS).put("ctx-rhymes", DESCRIPTIONS.get(2).getBytes(StandardCharsets.UTF_8));
        String byDescription = client.chat().completions().create(chat(DESCRIPTIONS.get(2), key, 12).build())
                .choices().get(0).message().content().orElseThrow();
        ChatCompletion byId = client.chat().completions().create(chat(null, key, 12).model("ctx-rhymes").build());
        assertEquals(byDescription, byId.choices().get(0).message().content().orElseThrow());
        assertEquals("ctx-rhymes", byId.model());

        // a stop string cuts the answer before it and finishes with "stop"
        String full = client.completions().create(completion(null, key, 30).build()).choices().get(0).text();
        assertTrue(full.length() >= 6, "a long enough answer to cut: '" + full + "'");
        String stop = full.substring(3, 5);
        Completion cut = client.completions().create(completion(null, key, 30).stopOfStrings(List.of(stop, "zz"))
                .build());
        assertEquals(full.substring(0, full.indexOf(stop)), cut.choices().get(0).text());
        assertEquals("stop", cut.choices().get(0).finishReason().asString());

        // seeded sampling is reproducible; max_tokens bounds the completion
        CompletionCreateParams sampled = completion(DESCRIPTIONS.get(0), key, 7).temperature(0.9).seed(7).build();
        Completion s1 = client.completions().create(sampled);
        assertEquals(s1.choices().get(0).text(), client.completions().create(sampled).choices().get(0).text());
        assertTrue(s1.usage().orElseThrow().completionTokens() <= 7);
        assertEquals(s1.usage().orElseThrow().completionTokens() == 7 ? "length" : "stop",
                s1.choices().get(0).finishReason().asString());
    }

    @Test
    void badRequestsGetOpenAiErrorsWithTheRightStatus() {
        // through the SDK
        BadRequestException n = assertThrows(BadRequestException.class,
                () -> client.chat().completions().create(chat(null, "u", 5).n(2).build()));
        assertEquals("invalid_request_error", n.type().orElseThrow());
        assertEquals("n", n.param().orElseThrow());
        NotFoundException nf = assertThrows(NotFoundException.class,
                () -> client.chat().completions().create(chat(null, "u", 5).model("no-such-model").build()));
        assertEquals("model_not_found", nf.code().orElseThrow());
        assertEquals("model", nf.param().orElseThrow());
        BadRequestException label = assertThrows(BadRequestException.class, () -> client.completions()
                .createStreaming(completion("not one of the six descriptions", "u", 5).build()).stream().count());
        assertEquals("description", label.param().orElseThrow(), label.getMessage());
        OpenAIServiceException tooMany = assertThrows(BadRequestException.class,
                () -> client.completions().create(completion(null, "u", 5000).build()));
        assertEquals("max_tokens", tooMany.param().orElseThrow());

        // plain HTTP: status, JSON error shape, never HTML
        error(post("/v1/chat/completions", "{not json"), 400, "invalid_request_error", null, "could not parse the JSON");
        error(post("/v1/chat/completions", "[1, 2]"), 400, "invalid_request_error", null, "JSON object");
        error(post("/v1/chat/completions", ""), 400, "invalid_request_error", null, "empty");
        error(post("/v1/chat/completions", "{\"model\": \"model\", \"messages\": [{\"role\": \"user\", \"content\": \"abc\"}], "
                + "\"temperature\": \"hot\"}"), 400, "invalid_request_error", "temperature", "must be a number");
        error(post("/v1/chat/completions", "{\"model\": \"model\", \"messages\": \"abc\"}"), 400,
                "invalid_request_error", "messages", "non-empty array");
        error(post("/v1/chat/completions", "{\"model\": \"model\", \"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}"),
                400, "invalid_request_error", "messages", "not supported");
        error(post("/v1/chat/completions", "{\"model\": \"model\", \"messages\": [{\"role\": \"user\", \"content\": \"abc\"}], "
                + "\"max_token\": 5}"), 400, "invalid_request_error", "max_token", "Unrecognized request argument");
        error(post("/v1/chat/completions", "{\"model\": \"model\", \"messages\": [{\"role\": \"user\", \"content\": \"  \"}], "
                + "\"stream\": true, \"logprobs\": true}"), 400, "invalid_request_error", "logprobs", "not supported");
        error(post("/v1/chat/completions", "{\"model\": \"model\", \"messages\": [{\"role\": \"system\", \"content\": \"x\"}], "
                + "\"stream\": true}"), 400, "invalid_request_error", "messages", "must contain a user message");
        error(post("/v1/completions", "{\"model\": \"model\", \"prompt\": \"abc\", \"top_p\": 0}"), 400,
                "invalid_request_error", "top_p", "top_p");
        error(post("/v1/completions", "{\"model\": \"model\", \"prompt\": \"abc\", \"stop\": [\"\"]}"), 400,
                "invalid_request_error", "stop", "must not be empty");
        error(post("/v1/completions", "{\"model\": \"model\", \"prompt\": [1, 2, 3]}"), 400,
                "invalid_request_error", "prompt", "token-id prompts");
        error(post("/v1/completions", "{\"model\": \"no-such-ctx\", \"prompt\": \"abc\", \"stream\": true}"), 404,
                "invalid_request_error", "model", "does not exist");
        caches.cache(ZhyperCaches.CONTEXTS).put("ctx-terse", DESCRIPTIONS.get(3).getBytes(StandardCharsets.UTF_8));
        error(post("/v1/completions", "{\"model\": \"ctx-terse\", \"prompt\": \"abc\", \"description\": \"be terse\"}"),
                400, "invalid_request_error", "description", "not both");
        error(post("/v1/completions", "{\"prompt\": \"" + "a".repeat(1_100_000) + "\"}"), 413,
                "invalid_request_error", null, "too large");
        error(given().get("/v1/chat/completions"), 405, "invalid_request_error", null, "not allowed");
        error(given().get("/v1/embeddings"), 404, "invalid_request_error", null, "Unknown path");
    }

    @Test
    void aClientThatHangsUpOnANonStreamedRequestCancelsIt() throws Exception {
        String key = keyFor("treatment");
        long before = api.abandoned();
        List<String> outcomes = new ArrayList<>();
        for (int attempt = 0; attempt < 10 && api.abandoned() == before; attempt++) {
            byte[] body = ("{\"model\": \"model\", \"prompt\": \"ab" + "g".repeat(attempt) + "\", \"max_tokens\": 220, "
                    + "\"temperature\": 0, \"user\": \"" + key + "\"}").getBytes(StandardCharsets.UTF_8);
            try (Socket s = new Socket(v1.getHost(), v1.getPort())) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                Thread.sleep(30); // let the server admit it, then hang up without reading
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (api.abandoned() == before && System.nanoTime() < deadline) Thread.sleep(20);
            outcomes.add(api.abandoned() == before ? "completed before the hang-up" : "cancelled");
        }
        assertTrue(api.abandoned() > before, "the hang-up cancelled the request: " + outcomes);
    }

    static Response post(String path, String body) {
        return given().contentType("application/json").body(body).post(path);
    }

    static void error(Response r, int status, String type, String param, String messagePart) {
        r.then().statusCode(status).contentType(containsString("application/json"))
                .body("error.type", equalTo(type)).body("error.message", containsString(messagePart))
                .body("error.param", param == null ? nullValue() : equalTo(param));
        assertFalse(r.asString().contains("<html"), r.asString());
        assertFalse(r.asString().contains("\tat "), "no stack trace: " + r.asString());
    }

    @Test
    void anAbandonedStreamCancelsItsPendingRequest() throws Exception {
        String key = keyFor("control");
        long abandoned0 = api.abandoned();
        int cancelled = 0;
        List<String> outcomes = new ArrayList<>();
        // a request that is already complete when the client leaves cannot be cancelled: try a few
        for (int attempt = 0; attempt < 10 && cancelled == 0; attempt++) {
            ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model("model")
                    .addUserMessage("abc" + "h".repeat(attempt)).maxCompletionTokens(220L).temperature(0.0).user(key)
                    .build(); // the base model: whatever checkpoint other test classes left serving (an adapted
                              // answer may end at once, before the client can leave)
            GenerationService.Pending pending;
            try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(p)) {
                ChatCompletionChunk first = s.stream().iterator().next();
                String requestId = first.id().substring("chatcmpl-".length());
                pending = api.inFlight(requestId).orElse(null);
            } // closing the stream drops the connection
            if (pending == null) {
                outcomes.add("done before the first chunk was read");
                continue;
            }
            try {
                pending.response().get(60, TimeUnit.SECONDS);
                outcomes.add("completed");
            } catch (CancellationException e) {
                cancelled++;
            }
        }
        assertTrue(cancelled > 0, "the server cancelled the abandoned request's future: " + outcomes);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (api.abandoned() == abandoned0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(api.abandoned() > abandoned0, "counted as abandoned");
        // the service keeps answering, over HTTP and gRPC on the same port
        ChatCompletion after = client.chat().completions().create(chat(null, key, 4).build());
        assertTrue(after.usage().orElseThrow().completionTokens() <= 4);
        assertFalse(viaGrpc(null, key, 4, true).getRequestId().isEmpty());
        assertEquals(abandoned0 + 1, api.abandoned(), "one abandoned request, counted once");
    }
}
