package dev.zhyper.generator.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zhyper.proto.v1.ChatMessage;
import dev.zhyper.proto.v1.ChatMessages;
import dev.zhyper.proto.v1.GenerateRequest;
import dev.zhyper.proto.v1.Sampling;

import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An OpenAI chat-completions or completions request body, checked and translated into the {@code zhyper.v1}
 * {@link GenerateRequest} of the shared request path.
 *
 * <p>Supported: {@code model} (a served model or a registered context id, see {@link ServedModels}),
 * {@code description} (extra field: free-text context), {@code messages} / {@code prompt}, {@code max_tokens},
 * {@code max_completion_tokens}, {@code temperature} (OpenAI's default 1), {@code top_p}, {@code top_k} (extra),
 * {@code seed} (absent = a random one), {@code stop} (string or up to 4 strings), {@code user} (the A/B key; else {@code safety_identifier}),
 * {@code n} (1 only), {@code stream}, {@code stream_options.include_usage}. Fields that do not change the output
 * ({@code store}, {@code metadata}, ...) are accepted and ignored; features Zhyper lacks (logprobs, penalties,
 * tools, ...) are accepted only at their neutral value; anything else is 400 "Unrecognized request argument".
 */
public record OpenAiRequest(Kind kind, GenerateRequest generate, String model, boolean stream, boolean includeUsage,
                            boolean contextFromModel) {

    public enum Kind {
        CHAT("messages"), COMPLETION("prompt");

        /** The input field's name. */
        final String input;

        Kind(String input) {
            this.input = input;
        }
    }

    /** OpenAI's default temperature (the gRPC API's default, unset sampling, is greedy). */
    static final float DEFAULT_TEMPERATURE = 1f;

    /** OpenAI's bound on the number of stop sequences. */
    static final int MAX_STOP = 4;

    private static final Set<String> COMMON = Set.of("model", "description", "max_tokens", "temperature", "top_p",
            "top_k", "seed", "stop", "user", "n", "stream", "stream_options",
            // accepted and ignored: they do not change what is generated
            "store", "metadata", "service_tier", "prompt_cache_key",
            // the A/B key: user, else safety_identifier (the newer name of a stable end-user id)
            "safety_identifier",
            // accepted at their neutral value only (checked below)
            "logprobs", "frequency_penalty", "presence_penalty", "logit_bias");
    private static final Set<String> CHAT = Set.of("messages", "max_completion_tokens", "top_logprobs", "tools",
            "functions", "tool_choice", "function_call", "parallel_tool_calls", "response_format");
    private static final Set<String> COMPLETION = Set.of("prompt", "echo", "best_of", "suffix");

    /**
     * Parses a request body.
     *
     * @param requestId the id given to the request (also its A/B key when {@code user} is absent)
     */
    public static OpenAiRequest parse(Kind kind, JsonNode body, ServedModels models, String requestId) {
        if (body == null || !body.isObject()) throw OpenAiError.invalid("The request body must be a JSON object", null);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!COMMON.contains(f) && !(kind == Kind.CHAT ? CHAT : COMPLETION).contains(f)) {
                throw OpenAiError.invalid("Unrecognized request argument supplied: " + f, f);
            }
        }
        neutral(body, kind);
        GenerateRequest.Builder g = GenerateRequest.newBuilder().setRequestId(requestId);

        String model = string(body, "model");
        String description = string(body, "description");
        if (model != null && model.isBlank()) throw OpenAiError.invalid("'model' is empty", "model");
        Optional<String> contextId = models.contextIdOf(model);
        if (contextId.isPresent() && description != null) {
            throw OpenAiError.invalid("Give the context either as a registered context id in 'model' or as "
                    + "'description', not both ('" + model + "' is not a served model: GET /v1/models)", "description");
        }
        contextId.ifPresent(g::setContextId);
        if (description != null) g.setDescription(description);

        if (kind == Kind.CHAT) {
            g.setMessages(messages(body.get("messages")));
        } else {
            g.setPrompt(prompt(body.get("prompt")));
        }

        String maxField = kind == Kind.CHAT && body.hasNonNull("max_completion_tokens")
                ? "max_completion_tokens" : "max_tokens";
        Long maxTokens = integer(body, maxField);
        if (maxTokens != null) {
            if (maxTokens < 1 || maxTokens > Integer.MAX_VALUE) {
                throw OpenAiError.invalid(maxField + " must be >= 1, got " + maxTokens, maxField);
            }
            g.setMaxTokens(maxTokens.intValue());
        }

        Double temperature = number(body, "temperature");
        if (temperature != null && !(temperature >= 0 && temperature <= 2)) {
            throw OpenAiError.invalid("temperature must be in [0, 2], got " + temperature, "temperature");
        }
        Double topP = number(body, "top_p");
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw OpenAiError.invalid("top_p must be in (0, 1], got " + topP, "top_p");
        }
        Long topK = integer(body, "top_k");
        if (topK != null && (topK < 0 || topK > Integer.MAX_VALUE)) {
            throw OpenAiError.invalid("top_k must be >= 0, got " + topK, "top_k");
        }
        Long seed = integer(body, "seed");
        g.setSampling(Sampling.newBuilder()
                .setTemperature(temperature == null ? DEFAULT_TEMPERATURE : temperature.floatValue())
                .setTopP(topP == null ? 1f : topP.floatValue())
                .setTopK(topK == null ? 0 : topK.intValue())
                .setSeed(seed == null ? ThreadLocalRandom.current().nextLong() : seed));

        JsonNode stop = body.get("stop");
        if (stop != null && !stop.isNull()) {
            if (stop.isTextual()) {
                g.addStop(stop.asText());
            } else if (stop.isArray()) {
                if (stop.size() > MAX_STOP) {
                    throw OpenAiError.invalid("stop: at most " + MAX_STOP + " sequences, got " + stop.size(), "stop");
                }
                for (JsonNode s : stop) {
                    if (!s.isTextual()) throw OpenAiError.invalid("'stop' must be a string or an array of strings", "stop");
                    g.addStop(s.asText());
                }
            } else {
                throw OpenAiError.invalid("'stop' must be a string or an array of strings", "stop");
            }
        }

        String user = string(body, "user");
        String safetyId = string(body, "safety_identifier");
        if (user != null) g.setAbKey(user);
        else if (safetyId != null) g.setAbKey(safetyId);

        Long n = integer(body, "n");
        if (n != null && n != 1) {
            throw OpenAiError.invalid("n must be 1 (one choice per request; send concurrent requests for more), got "
                    + n, "n");
        }

        Boolean stream = bool(body, "stream");
        boolean streaming = stream != null && stream;
        boolean includeUsage = false;
        JsonNode so = body.get("stream_options");
        if (so != null && !so.isNull()) {
            if (!streaming) throw OpenAiError.invalid("stream_options is only allowed with stream: true", "stream_options");
            if (!so.isObject()) throw OpenAiError.invalid("'stream_options' must be an object", "stream_options");
            Boolean iu = bool(so, "include_usage");
            includeUsage = iu != null && iu;
        }
        return new OpenAiRequest(kind, g.build(), model, streaming, includeUsage, contextId.isPresent());
    }

    /** Features Zhyper does not have are accepted only at the value that means "off". */
    private static void neutral(JsonNode body, Kind kind) {
        JsonNode lp = body.get("logprobs");
        if (lp != null && !lp.isNull() && !(lp.isBoolean() && !lp.asBoolean()) && !(lp.isNumber() && lp.asDouble() == 0)) {
            throw unsupported("logprobs");
        }
        for (String f : new String[] {"frequency_penalty", "presence_penalty"}) {
            Double v = number(body, f);
            if (v != null && v != 0) throw unsupported(f);
        }
        JsonNode bias = body.get("logit_bias");
        if (bias != null && !bias.isNull() && !(bias.isObject() && bias.isEmpty())) throw unsupported("logit_bias");
        if (kind == Kind.CHAT) {
            Long top = integer(body, "top_logprobs");
            if (top != null && top != 0) throw unsupported("top_logprobs");
            for (String f : new String[] {"tools", "functions"}) {
                JsonNode t = body.get(f);
                if (t != null && !t.isNull() && !(t.isArray() && t.isEmpty())) throw unsupported(f);
            }
            JsonNode rf = body.get("response_format");
            if (rf != null && !rf.isNull() && !(rf.isObject() && "text".equals(rf.path("type").asText()))) {
                throw unsupported("response_format");
            }
        } else {
            Boolean echo = bool(body, "echo");
            if (echo != null && echo) throw unsupported("echo");
            Long bestOf = integer(body, "best_of");
            if (bestOf != null && bestOf != 1) throw unsupported("best_of");
            String suffix = string(body, "suffix");
            if (suffix != null && !suffix.isEmpty()) throw unsupported("suffix");
        }
    }

    private static OpenAiError unsupported(String param) {
        return OpenAiError.invalid("'" + param + "' is not supported by this server (only its default/off value)",
                param);
    }

    /** Chat messages → the proto conversation ("developer" is a system turn; text content parts are joined). */
    static ChatMessages messages(JsonNode messages) {
        if (messages == null || messages.isNull()) throw OpenAiError.invalid("'messages' is required", "messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw OpenAiError.invalid("'messages' must be a non-empty array", "messages");
        }
        ChatMessages.Builder out = ChatMessages.newBuilder();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) throw OpenAiError.invalid("'" + where + "' must be an object", "messages");
            JsonNode r = m.get("role");
            if (r == null || !r.isTextual()) throw OpenAiError.invalid("'" + where + ".role' must be a string", "messages");
            String role = r.asText().trim().toLowerCase(Locale.ROOT);
            if (role.equals("developer")) role = "system";
            if (!Set.of("system", "user", "assistant").contains(role)) {
                throw OpenAiError.invalid("'" + where + ".role' '" + r.asText()
                        + "' is not supported (system, developer, user, assistant)", "messages");
            }
            out.addMessages(ChatMessage.newBuilder().setRole(role).setContent(content(m.get("content"), where, role)));
        }
        return out.build();
    }

    private static String content(JsonNode c, String where, String role) {
        if ((c == null || c.isNull()) && role.equals("assistant")) return "";
        if (c != null && c.isTextual()) return c.asText();
        if (c != null && c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw OpenAiError.invalid("'" + where + ".content': only text parts {\"type\": \"text\", "
                            + "\"text\": ...} are supported", "messages");
                }
                sb.append(part.get("text").asText());
            }
            return sb.toString();
        }
        throw OpenAiError.invalid("'" + where + ".content' must be a string or an array of text parts", "messages");
    }

    /** A completions prompt: a string, or an array holding one string. */
    static String prompt(JsonNode p) {
        if (p == null || p.isNull()) throw OpenAiError.invalid("'prompt' is required", "prompt");
        if (p.isTextual()) return p.asText();
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) return p.get(0).asText();
        if (p.isArray() && p.size() > 1 && p.get(0).isTextual()) {
            throw OpenAiError.invalid("one prompt per request (send concurrent requests for more), got " + p.size(),
                    "prompt");
        }
        throw OpenAiError.invalid("'prompt' must be a string (token-id prompts are not supported)", "prompt");
    }

    static String string(JsonNode o, String f) {
        JsonNode v = o.get(f);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw OpenAiError.invalid("'" + f + "' must be a string", f);
        return v.asText();
    }

    static Long integer(JsonNode o, String f) {
        JsonNode v = o.get(f);
        if (v == null || v.isNull()) return null;
        if (v.isIntegralNumber() && v.canConvertToLong()) return v.asLong();
        if (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()) && Math.abs(v.asDouble()) < 1e15) {
            return (long) v.asDouble();
        }
        throw OpenAiError.invalid("'" + f + "' must be an integer", f);
    }

    static Double number(JsonNode o, String f) {
        JsonNode v = o.get(f);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw OpenAiError.invalid("'" + f + "' must be a number", f);
        return v.asDouble();
    }

    static Boolean bool(JsonNode o, String f) {
        JsonNode v = o.get(f);
        if (v == null || v.isNull()) return null;
        if (!v.isBoolean()) throw OpenAiError.invalid("'" + f + "' must be a boolean", f);
        return v.asBoolean();
    }
}
