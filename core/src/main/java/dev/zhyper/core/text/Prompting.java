package dev.zhyper.core.text;

import dev.zhyper.core.model.ModelConfig;

import java.util.Map;

/** Chooses the chat template of a model: its family's, unless the tokenizer lacks that template's markers. */
public final class Prompting {
    private Prompting() {}

    private static final Map<ChatTemplate, String> MARKER = Map.of(
            ChatTemplate.MISTRAL, "<s>",
            ChatTemplate.LLAMA3, "<|start_header_id|>",
            ChatTemplate.GEMMA, "<start_of_turn>",
            ChatTemplate.CHATML, "<|im_start|>");

    public static ChatTemplate templateFor(ModelConfig config, TextTokenizer tokenizer) {
        ChatTemplate t;
        try {
            t = ChatTemplate.forModelType(config.family().modelType());
        } catch (IllegalArgumentException e) {
            return ChatTemplate.PLAIN;
        }
        String marker = MARKER.get(t);
        return marker != null && tokenizer.tokenId(marker).isPresent() ? t : ChatTemplate.PLAIN;
    }
}
