package dev.zhyper.core.text;

import java.util.List;
import java.util.Locale;

/**
 * Single-turn prompt formats: {@link #render(String, String)} produces the text up to where the
 * assistant's answer starts (the "generation prompt"). The rendered text already contains the BOS
 * token where the model family uses one, so encode it with {@code addSpecialTokens = false}. A
 * training sequence is {@code render(system, user) + answer + endOfTurn()}.
 *
 * <p>A {@code null} or blank system prompt counts as absent. Whitespace notes per template (as in
 * the published Hugging Face {@code chat_template}s):
 * <ul>
 *   <li>{@link #MISTRAL}: Mistral-7B-Instruct v0.1/v0.2: {@code bos + "[INST] " + content + " [/INST]"}
 *       — one space after {@code [INST]} and one before {@code [/INST]}; the system prompt is
 *       prepended to the user message with a blank line ({@code "\n\n"}); the answer follows
 *       {@code [/INST]} directly (SentencePiece supplies the word-initial space) and ends with
 *       {@code </s>}. (v0.3/Nemo templates drop the space before {@code [/INST]}; not modelled.)</li>
 *   <li>{@link #LLAMA3}: Llama-3 Instruct: every message is
 *       {@code <|start_header_id|>role<|end_header_id|>\n\n + content|trim + <|eot_id|>} with no
 *       newline after {@code <|eot_id|>}; BOS {@code <|begin_of_text|>} once at the start; the
 *       generation prompt is the assistant header followed by {@code "\n\n"}. System and user text
 *       are trimmed as the published template does. The Llama-3.1 template's
 *       "Cutting Knowledge Date" system preamble is not added.</li>
 *   <li>{@link #GEMMA}: Gemma 2/3: {@code <bos><start_of_turn>user\n ... <end_of_turn>\n<start_of_turn>model\n};
 *       Gemma has no system role, so the system prompt is prepended to the user turn followed by
 *       {@code "\n\n"} (as Gemma 3's template does). Text is trimmed as the published template does.</li>
 *   <li>{@link #CHATML}: Qwen2/Qwen2.5: {@code <|im_start|>role\ncontent<|im_end|>\n} per message,
 *       then {@code <|im_start|>assistant\n}. No BOS. Without a system prompt the system block is
 *       omitted (Qwen's own template would insert a default one; pass it explicitly if wanted).</li>
 *   <li>{@link #PLAIN}: Zhyper's tiny character-level models: {@code system + "\n" + user + "\n"}
 *       (just {@code user + "\n"} without a system prompt), no BOS; the answer follows and ends with
 *       the EOS token {@code </s>}.</li>
 * </ul>
 */
public enum ChatTemplate {

    MISTRAL(List.of("</s>")) {
        @Override
        public String render(String system, String user) {
            String content = present(system) ? system + "\n\n" + user : user;
            return "<s>[INST] " + content + " [/INST]";
        }
    },

    LLAMA3(List.of("<|eot_id|>", "<|end_of_text|>")) {
        @Override
        public String render(String system, String user) {
            StringBuilder sb = new StringBuilder("<|begin_of_text|>");
            if (present(system)) {
                sb.append("<|start_header_id|>system<|end_header_id|>\n\n").append(system.strip()).append("<|eot_id|>");
            }
            sb.append("<|start_header_id|>user<|end_header_id|>\n\n").append(user.strip()).append("<|eot_id|>");
            sb.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
            return sb.toString();
        }
    },

    GEMMA(List.of("<end_of_turn>", "<eos>")) {
        @Override
        public String render(String system, String user) {
            String content = present(system) ? system.strip() + "\n\n" + user.strip() : user.strip();
            return "<bos><start_of_turn>user\n" + content + "<end_of_turn>\n<start_of_turn>model\n";
        }
    },

    CHATML(List.of("<|im_end|>", "<|endoftext|>")) {
        @Override
        public String render(String system, String user) {
            StringBuilder sb = new StringBuilder();
            if (present(system)) {
                sb.append("<|im_start|>system\n").append(system).append("<|im_end|>\n");
            }
            sb.append("<|im_start|>user\n").append(user).append("<|im_end|>\n");
            sb.append("<|im_start|>assistant\n");
            return sb.toString();
        }
    },

    PLAIN(List.of("</s>")) {
        @Override
        public String render(String system, String user) {
            return present(system) ? system + "\n" + user + "\n" : user + "\n";
        }
    };

    private final List<String> stopStrings;

    ChatTemplate(List<String> stopStrings) {
        this.stopStrings = stopStrings;
    }

    /**
     * The generation prompt for one system + user turn.
     *
     * @param system system prompt, may be null or blank (then omitted)
     * @param user user message, not null
     */
    public abstract String render(String system, String user);

    /** Strings that end the assistant's turn; generation stops at the first occurrence of any. */
    public List<String> stopStrings() {
        return stopStrings;
    }

    /** The string that closes an answer in training data: the first stop string. */
    public String endOfTurn() {
        return stopStrings.get(0);
    }

    /**
     * The template for a Hugging Face {@code config.json} {@code model_type} (case-insensitive):
     * {@code mistral, mixtral} → MISTRAL; {@code llama} → LLAMA3; {@code gemma, gemma2, gemma3,
     * gemma3_text} → GEMMA; {@code qwen2, qwen2_moe, qwen3, qwen3_moe} → CHATML; {@code plain, tiny,
     * zhyper} → PLAIN. The enum names themselves ({@code "llama3"}, {@code "chatml"}) are accepted too.
     *
     * @throws IllegalArgumentException for null or unknown model types
     */
    public static ChatTemplate forModelType(String modelType) {
        if (modelType == null) throw new IllegalArgumentException("model type is null");
        String t = modelType.strip().toLowerCase(Locale.ROOT);
        switch (t) {
            case "mistral", "mixtral" -> { return MISTRAL; }
            case "llama", "llama3" -> { return LLAMA3; }
            case "gemma", "gemma2", "gemma3", "gemma3_text" -> { return GEMMA; }
            case "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "chatml" -> { return CHATML; }
            case "plain", "tiny", "zhyper" -> { return PLAIN; }
            default -> throw new IllegalArgumentException("no chat template for model type '" + modelType
                    + "' (known: mistral, mixtral, llama, gemma, gemma2, gemma3, gemma3_text, qwen2, qwen2_moe,"
                    + " qwen3, qwen3_moe, plain, tiny, zhyper)");
        }
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }
}
