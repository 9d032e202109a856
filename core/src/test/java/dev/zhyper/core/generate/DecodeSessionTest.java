package dev.zhyper.core.generate;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Continuous batching: rows that join mid-flight or leave early decode exactly the tokens they decode alone. */
class DecodeSessionTest {

    static GenerationRequest req(String prompt, long ctxSeed, int max) {
        return new GenerationRequest(BatchDecoderTest.tok.encode(prompt, false),
                ctxSeed < 0 ? null : BatchDecoderTest.ctx(ctxSeed), SamplingParams.greedy(), max, Set.of(), List.of());
    }

    static int[] alone(GenerationRequest r) {
        return BatchDecoderTest.gen.generate(List.of(r), TokenListener.NONE).get(0).tokens();
    }

    @Test
    void rowsJoiningMidFlightAndLeavingEarlyDecodeExactlyTheirTokensAlone() {
        BatchDecoderTest.setUpOnce();
        List<GenerationRequest> reqs = List.of(req("the quick brown fox", 1, 24), req("ab", 2, 3),
                req("jumps over the lazy dog again and again", 3, 16), req("z", -1, 9), req("hello world", 4, 1));
        List<int[]> expected = new ArrayList<>();
        for (GenerationRequest r : reqs) expected.add(alone(r));
        // small prefill budget: long prompts take several steps while other rows decode
        try (DecodeSession s = BatchDecoderTest.gen.session(3)) {
            List<DecodeSession.Row> rows = new ArrayList<>();
            List<StringBuilder> streamed = new ArrayList<>();
            int step = 0;
            while (rows.size() < reqs.size() || !s.isEmpty()) {
                if (rows.size() < reqs.size() && step % 2 == 0) { // a new row every second step
                    StringBuilder sb = new StringBuilder();
                    streamed.add(sb);
                    rows.add(s.add(reqs.get(rows.size()), new DecodeSession.RowListener() {
                        @Override public void onText(String d) { sb.append(d); }
                        @Override public void onFinish(GenerationResult r) { }
                    }));
                }
                s.step();
                step++;
                assertTrue(step < 500, "session does not finish");
            }
            for (int i = 0; i < reqs.size(); i++) {
                assertArrayEquals(expected.get(i), rows.get(i).result().tokens(), "row " + i);
                assertEquals(rows.get(i).result().text(), streamed.get(i).toString(), "stream of row " + i);
            }
            assertTrue(s.decodeSteps() > 0);
        }
    }

    @Test
    void aCancelledRowLeavesAtTheNextStepAndStopsConsumingSteps() {
        BatchDecoderTest.setUpOnce();
        GenerationRequest longOne = req("the quick brown fox", 1, 40);
        GenerationRequest other = req("jumps over", 2, 30);
        int[] otherAlone = alone(other);
        try (DecodeSession s = BatchDecoderTest.gen.session(64)) {
            DecodeSession.Row a = s.add(longOne, null);
            DecodeSession.Row b = s.add(other, null);
            for (int i = 0; i < 5; i++) s.step();
            assertEquals(2, s.runningRows());
            a.cancel();
            long before = s.rowSteps();
            List<DecodeSession.Row> left = s.step();
            assertTrue(left.contains(a));
            assertEquals(GenerationResult.FinishReason.CANCELLED, a.result().finishReason());
            assertEquals(1, s.runningRows());
            assertEquals(before + 1, s.rowSteps(), "only the remaining row was decoded");
            int cancelledAt = a.generated();
            while (!s.isEmpty()) s.step();
            assertEquals(cancelledAt, a.generated(), "the cancelled row decoded no further token");
            assertArrayEquals(otherAlone, b.result().tokens(), "the row beside the cancelled one is unchanged");
        }
    }

    @Test
    void aRowCancelledWhileQueuedIsNeverPrefilled() {
        BatchDecoderTest.setUpOnce();
        try (DecodeSession s = BatchDecoderTest.gen.session(64)) {
            DecodeSession.Row a = s.add(req("abc", 1, 5), null);
            a.cancel();
            s.step();
            assertTrue(s.isEmpty());
            assertEquals(0, s.prefillTokens());
            assertEquals(GenerationResult.FinishReason.CANCELLED, a.result().finishReason());
        }
    }
}
