package dev.zhyper.generator.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.proto.v1.GenerateResponse;

import java.util.List;

/**
 * OpenAI's response shapes: {@code chat.completion}, {@code chat.completion.chunk}, {@code text_completion}
 * (whole and streamed), {@code list} of {@code model}. Every completion also carries an extra object
 * {@code zhyper} (request id, arm, checkpoint id, timings); {@code system_fingerprint} is the serving checkpoint
 * id ({@code "base"} for the base model).
 */
final class OpenAiJson {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private OpenAiJson() {}

    /** The fixed part of every object of one request: id, object, created, model. */
    record Head(OpenAiRequest.Kind kind, String requestId, long created, String model) {
        String id() {
            return (kind == OpenAiRequest.Kind.CHAT ? "chatcmpl-" : "cmpl-") + requestId;
        }

        ObjectNode object(String object) {
            ObjectNode o = F.objectNode();
            o.put("id", id());
            o.put("object", object);
            o.put("created", created);
            o.put("model", model);
            return o;
        }
    }

    static String fingerprint(GenerateResponse r) {
        return r.getCheckpointId().isEmpty() ? "base" : r.getCheckpointId();
    }

    static ObjectNode usage(GenerateResponse r) {
        ObjectNode u = F.objectNode();
        u.put("prompt_tokens", r.getPromptTokens());
        u.put("completion_tokens", r.getCompletionTokens());
        u.put("total_tokens", r.getPromptTokens() + r.getCompletionTokens());
        return u;
    }

    static ObjectNode zhyper(GenerateResponse r) {
        ObjectNode z = F.objectNode();
        z.put("request_id", r.getRequestId());
        z.put("arm", r.getArm());
        z.put("checkpoint_id", r.getCheckpointId());
        ObjectNode t = z.putObject("timings");
        t.put("queue_ms", r.getTimings().getQueueMs());
        t.put("modulate_ms", r.getTimings().getModulateMs());
        t.put("prefill_ms", r.getTimings().getPrefillMs());
        t.put("decode_ms", r.getTimings().getDecodeMs());
        t.put("total_ms", r.getTimings().getTotalMs());
        return z;
    }

    /** The whole (non-streamed) answer. */
    static ObjectNode completion(Head h, GenerateResponse r) {
        boolean chat = h.kind() == OpenAiRequest.Kind.CHAT;
        ObjectNode o = h.object(chat ? "chat.completion" : "text_completion");
        o.put("system_fingerprint", fingerprint(r));
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", 0);
        if (chat) {
            ObjectNode m = c.putObject("message");
            m.put("role", "assistant");
            m.put("content", r.getText());
            m.putNull("refusal");
        } else {
            c.put("text", r.getText());
        }
        c.putNull("logprobs");
        c.put("finish_reason", r.getFinishReason());
        o.set("usage", usage(r));
        o.set("zhyper", zhyper(r));
        return o;
    }

    /** A streamed chunk with a text delta ({@code role} set on the first chat chunk only). */
    static ObjectNode delta(Head h, String text, boolean first, boolean includeUsage) {
        boolean chat = h.kind() == OpenAiRequest.Kind.CHAT;
        ObjectNode o = h.object(chat ? "chat.completion.chunk" : "text_completion");
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", 0);
        if (chat) {
            ObjectNode d = c.putObject("delta");
            if (first) d.put("role", "assistant");
            d.put("content", text);
        } else {
            c.put("text", text);
        }
        c.putNull("logprobs");
        c.putNull("finish_reason");
        if (includeUsage) o.putNull("usage");
        return o;
    }

    /** The chunk that carries the finish reason (empty delta / text). */
    static ObjectNode finish(Head h, GenerateResponse r, boolean includeUsage) {
        boolean chat = h.kind() == OpenAiRequest.Kind.CHAT;
        ObjectNode o = h.object(chat ? "chat.completion.chunk" : "text_completion");
        o.put("system_fingerprint", fingerprint(r));
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", 0);
        if (chat) c.putObject("delta");
        else c.put("text", "");
        c.putNull("logprobs");
        c.put("finish_reason", r.getFinishReason());
        if (includeUsage) o.putNull("usage");
        o.set("zhyper", zhyper(r));
        return o;
    }

    /** With {@code stream_options.include_usage}: the last chunk, no choices and the usage. */
    static ObjectNode usageChunk(Head h, GenerateResponse r) {
        ObjectNode o = h.object(h.kind() == OpenAiRequest.Kind.CHAT ? "chat.completion.chunk" : "text_completion");
        o.put("system_fingerprint", fingerprint(r));
        o.putArray("choices");
        o.set("usage", usage(r));
        return o;
    }

    static ObjectNode model(ServedModels.Entry e, long created) {
        ObjectNode m = F.objectNode();
        m.put("id", e.id());
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "zhyper");
        ObjectNode z = m.putObject("zhyper");
        z.put("kind", e.kind());
        ArrayNode arms = z.putArray("arms");
        e.arms().forEach(arms::add);
        return m;
    }

    static ObjectNode models(List<ServedModels.Entry> entries, long created) {
        ObjectNode o = F.objectNode();
        o.put("object", "list");
        ArrayNode data = o.putArray("data");
        entries.forEach(e -> data.add(model(e, created)));
        return o;
    }
}
