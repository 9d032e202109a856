package dev.zhyper.core.generate;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The one "prompt + max_tokens fits the model" check: the boundary, the numbers it reports, no int overflow. */
class PromptTooLongTest {

    @Test
    void aPromptThatFillsThePositionsExactlyFits() {
        assertDoesNotThrow(() -> PromptTooLong.check(1000, 24, 1024));
        assertDoesNotThrow(() -> PromptTooLong.check(0, 1024, 1024));
    }

    @Test
    void oneTokenMoreIsRefusedWithTheNumbers() {
        PromptTooLong e = assertThrows(PromptTooLong.class, () -> PromptTooLong.check(1000, 25, 1024));
        assertEquals("prompt (1000 tokens) + max_tokens (25) exceed the model's 1024 positions", e.getMessage());
        assertEquals(1000, e.promptTokens());
        assertEquals(25, e.maxTokens());
        assertEquals(1024, e.positions());
    }

    @Test
    void hugeLimitsDoNotWrapAround() {
        assertThrows(PromptTooLong.class, () -> PromptTooLong.check(Integer.MAX_VALUE, Integer.MAX_VALUE, 4096));
    }
}
