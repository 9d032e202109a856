package dev.zhyper.core.text;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {

    static final String SYS = "You are terse.";
    static final String USER = "Translate: cat";

    @Test
    void mistral() {
        assertEquals("<s>[INST] You are terse.\n\nTranslate: cat [/INST]", ChatTemplate.MISTRAL.render(SYS, USER));
        assertEquals("<s>[INST] Translate: cat [/INST]", ChatTemplate.MISTRAL.render(null, USER));
        assertEquals("<s>[INST] Translate: cat [/INST]", ChatTemplate.MISTRAL.render("  ", USER));
        assertEquals(List.of("</s>"), ChatTemplate.MISTRAL.stopStrings());
        assertEquals("</s>", ChatTemplate.MISTRAL.endOfTurn());
    }

    @Test
    void llama3() {
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nTranslate: cat<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                ChatTemplate.LLAMA3.render(SYS, USER));
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nTranslate: cat<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                ChatTemplate.LLAMA3.render("", " Translate: cat\n"));
        assertEquals(List.of("<|eot_id|>", "<|end_of_text|>"), ChatTemplate.LLAMA3.stopStrings());
    }

    @Test
    void gemma() {
        assertEquals("<bos><start_of_turn>user\nYou are terse.\n\nTranslate: cat<end_of_turn>\n<start_of_turn>model\n",
                ChatTemplate.GEMMA.render(SYS, USER));
        assertEquals("<bos><start_of_turn>user\nTranslate: cat<end_of_turn>\n<start_of_turn>model\n",
                ChatTemplate.GEMMA.render(null, USER));
        assertEquals("<end_of_turn>", ChatTemplate.GEMMA.endOfTurn());
    }

    @Test
    void chatml() {
        assertEquals("<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nTranslate: cat<|im_end|>\n"
                + "<|im_start|>assistant\n", ChatTemplate.CHATML.render(SYS, USER));
        assertEquals("<|im_start|>user\nTranslate: cat<|im_end|>\n<|im_start|>assistant\n",
                ChatTemplate.CHATML.render(null, USER));
        assertEquals(List.of("<|im_end|>", "<|endoftext|>"), ChatTemplate.CHATML.stopStrings());
    }

    @Test
    void plain() {
        assertEquals("You are terse.\nTranslate: cat\n", ChatTemplate.PLAIN.render(SYS, USER));
        assertEquals("Translate: cat\n", ChatTemplate.PLAIN.render(null, USER));
        assertEquals(List.of("</s>"), ChatTemplate.PLAIN.stopStrings());
    }

    @Test
    void forModelType() {
        assertEquals(ChatTemplate.MISTRAL, ChatTemplate.forModelType("mistral"));
        assertEquals(ChatTemplate.LLAMA3, ChatTemplate.forModelType("llama"));
        assertEquals(ChatTemplate.LLAMA3, ChatTemplate.forModelType("LLAMA3"));
        assertEquals(ChatTemplate.GEMMA, ChatTemplate.forModelType("gemma2"));
        assertEquals(ChatTemplate.GEMMA, ChatTemplate.forModelType("gemma3_text"));
        assertEquals(ChatTemplate.CHATML, ChatTemplate.forModelType("qwen2"));
        assertEquals(ChatTemplate.PLAIN, ChatTemplate.forModelType("tiny"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChatTemplate.forModelType("gpt2"));
        assertTrue(e.getMessage().contains("gpt2"));
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.forModelType(null));
    }

    @Test
    void renderedPromptEncodesWithBosFromTheTemplate(@TempDir Path tmp) {
        StringBuilder alphabet = new StringBuilder("\n");
        for (char c = 32; c < 127; c++) alphabet.append(c);
        TokenizerJsonBuilder.writeCharLevel(tmp.resolve("tokenizer.json"),
                List.of("<pad>", "<s>", "</s>", "<unk>"), alphabet.toString());
        TokenizerJsonBuilder.writeTokenizerConfig(tmp.resolve("tokenizer_config.json"), "<s>", "</s>", "<pad>", true);
        try (TextTokenizer tok = TextTokenizer.load(tmp)) {
            String prompt = ChatTemplate.MISTRAL.render(SYS, USER);
            int[] ids = tok.encode(prompt, false);
            assertEquals(tok.bosId().getAsInt(), ids[0]);
            assertNotEquals(tok.bosId().getAsInt(), ids[1]);
            assertEquals(prompt, tok.decode(ids, false));
            int[] answer = tok.encode("chat" + ChatTemplate.MISTRAL.endOfTurn(), false);
            assertEquals(tok.eosId().getAsInt(), answer[answer.length - 1]);
        }
    }
}
