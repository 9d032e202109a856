package dev.zhyper.generator;

import dev.zhyper.proto.v1.GenerateResponse;
import dev.zhyper.proto.v1.GenerationEvent;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** zhyper.generator.events.content: full, hash or none of the text; the canary's join keys always. */
class EventContentTest {

    static final GenerateResponse R = GenerateResponse.newBuilder().setRequestId("req-1").setArm("candidate")
            .setCheckpointId("ckpt-7").setText("the secret answer").setCompletionTokens(3).setFinishReason("stop").build();

    @Test
    void fullHashAndNoneKeepTheJoinKeys() {
        GenerationEvent full = GenerationEvents.event(EventContent.parse("full"), R, "a private context", "my prompt");
        assertEquals("my prompt", full.getPrompt());
        assertEquals("the secret answer", full.getOutput());
        GenerationEvent hash = GenerationEvents.event(EventContent.parse("HASH"), R, "a private context", "my prompt");
        assertTrue(hash.getPrompt().matches("sha256:[0-9a-f]{64}"), hash.getPrompt());
        assertEquals(GenerationEvents.event(EventContent.HASH, R, "x", "my prompt").getPrompt(), hash.getPrompt(),
                "same text, same hash");
        GenerationEvent none = GenerationEvents.event(EventContent.parse("none"), R, "a private context", "my prompt");
        assertEquals("", none.getContext() + none.getPrompt() + none.getOutput());
        for (GenerationEvent e : new GenerationEvent[] {full, hash, none}) {
            assertEquals("req-1", e.getRequestId());
            assertEquals("candidate", e.getArm());
            assertEquals("ckpt-7", e.getCheckpointId());
            assertEquals(3, e.getCompletionTokens());
        }
        assertEquals("", GenerationEvents.event(EventContent.HASH, R, "", "p").getContext(), "empty stays empty");
        assertThrows(IllegalArgumentException.class, () -> EventContent.parse("some"));
    }
}
