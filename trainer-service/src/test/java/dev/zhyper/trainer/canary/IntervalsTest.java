package dev.zhyper.trainer.canary;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The canary's statistics against published values, and the bounded feedback join. */
class IntervalsTest {

    static ArmStats.Snapshot thumbs(int up, int n) {
        ArmStats s = new ArmStats();
        for (int i = 0; i < n; i++) s.add(i < up ? 1 : 0);
        return s.snapshot();
    }

    @Test
    void normalQuantile() {
        assertEquals(1.959964, Intervals.z(0.95), 1e-6);
        assertEquals(2.575829, Intervals.z(0.99), 1e-6);
        assertEquals(1.644854, Intervals.z(0.90), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> Intervals.z(1));
    }

    @Test
    void wilsonAndNewcombeMatchNewcombe1998() {
        // Newcombe (1998), Statistics in Medicine 17:873, table II: 56/70 vs 48/80, method 10: 0.0524 to 0.3339
        ArmStats.Snapshot a = thumbs(56, 70);
        ArmStats.Snapshot b = thumbs(48, 80);
        Intervals.Interval d = Intervals.difference(a, b, Intervals.z(0.95));
        assertEquals(0.0524, d.lower(), 5e-4);
        assertEquals(0.3339, d.upper(), 5e-4);
        assertEquals("newcombe", Intervals.differenceMethod(a, b));
        // Wilson of 0/10 (Newcombe 1998b, table I: 0 to 0.2775)
        Intervals.Interval w = Intervals.wilson(0, 10, Intervals.z(0.95));
        assertEquals(0, w.lower(), 1e-12);
        assertEquals(0.2775, w.upper(), 5e-4);
    }

    @Test
    void welchForGradedRewards() {
        ArmStats a = new ArmStats();
        ArmStats b = new ArmStats();
        for (int i = 0; i < 50; i++) {
            a.add(0.6 + (i % 5) * 0.05);
            b.add(0.5 + (i % 5) * 0.05);
        }
        Intervals.Interval d = Intervals.difference(a.snapshot(), b.snapshot(), Intervals.z(0.95));
        assertEquals("welch", Intervals.differenceMethod(a.snapshot(), b.snapshot()));
        double se = Math.sqrt(2 * a.snapshot().variance() / 50);
        assertEquals(0.1 - 1.959964 * se, d.lower(), 1e-6);
        assertTrue(d.lower() > 0);
        assertThrows(IllegalArgumentException.class, () -> a.add(1.5));
    }

    @Test
    void joinIsBoundedAndEarlyFeedbackWaitsThenExpires() {
        FeedbackJoin j = new FeedbackJoin(1000, 2);
        List<FeedbackJoin.Joined> out = new ArrayList<>();
        assertEquals(FeedbackJoin.Result.WAITING, j.onFeedback("r1", 1, null, 0, out));
        assertEquals("ckpt", j.onGeneration("r1", new FeedbackJoin.Served("candidate", "ckpt"), 10).orElseThrow()
                .checkpointId(), "early feedback joins when its generation arrives");
        assertEquals(FeedbackJoin.Result.DUPLICATE, j.onFeedback("r1", 0, null, 20, out));
        j.onGeneration("r2", new FeedbackJoin.Served("control", "c"), 30);
        assertEquals(FeedbackJoin.Result.JOINED, j.onFeedback("r2", 0.5, null, 40, out));
        assertEquals(0.5, out.get(0).reward());
        assertEquals(FeedbackJoin.Result.WAITING, j.onFeedback("u1", 1, null, 50, out));
        assertEquals(FeedbackJoin.Result.WAITING, j.onFeedback("u2", 1, null, 60, out));
        assertEquals(FeedbackJoin.Result.WAITING, j.onFeedback("u3", 1, null, 70, out));
        assertEquals(List.of("u1"), j.expire(100).stream().map(FeedbackJoin.Waiting::requestId).toList(), "size bound");
        assertEquals(List.of("u2", "u3"), j.expire(2000).stream().map(FeedbackJoin.Waiting::requestId).toList(), "TTL");
        assertEquals(0, j.generationCount(), "generations expire too");
    }
}
