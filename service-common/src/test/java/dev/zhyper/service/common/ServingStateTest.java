package dev.zhyper.service.common;

import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointStatus;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lifecycle rule book: candidate, promotion, rejection, rollback, stale sequences, legacy events. */
class ServingStateTest {

    static CheckpointEvent ev(String id, CheckpointStatus s, long seq) {
        return CheckpointEvent.newBuilder().setCheckpointId(id).setUri("/c/" + id).setSha256("ab").setStatus(s)
                .setSequence(seq).build();
    }

    static CheckpointEvent cand(String id, long seq, double share) {
        return ev(id, CheckpointStatus.CANDIDATE, seq).toBuilder().setTrafficShare(share).build();
    }

    @Test
    void candidateThenPromotionThenStaleReplay() {
        ServingState s = ServingState.EMPTY.apply(ev("a", CheckpointStatus.PROMOTED, 10), false).state();
        assertEquals("a", s.controlId());
        ServingState.Transition t = s.apply(cand("b", 11, 0.2), false);
        assertEquals(ServingState.Kind.APPLIED, t.kind());
        assertEquals("b", t.state().candidateId());
        assertEquals(0.2, t.state().candidateShare());
        s = t.state().apply(ev("b", CheckpointStatus.PROMOTED, 12), false).state();
        assertEquals("b", s.controlId());
        assertNull(s.candidateId());
        assertEquals("a", s.previousControl().checkpointId());
        // the replayed older promotion of a is ignored, the state does not move back
        t = s.apply(ev("a", CheckpointStatus.PROMOTED, 10), false);
        assertEquals(ServingState.Kind.STALE, t.kind());
        assertEquals("b", t.state().controlId());
        assertEquals(12, t.state().sequence());
    }

    @Test
    void rejectedAndUngatedAreNeverServed() {
        ServingState s = ServingState.EMPTY.apply(ev("a", CheckpointStatus.PROMOTED, 1), false).state();
        ServingState.Transition t = s.apply(ev("x", CheckpointStatus.UNGATED, 2), false);
        assertEquals(ServingState.Kind.NOT_SERVED, t.kind());
        t = t.state().apply(ev("r", CheckpointStatus.REJECTED, 3), false);
        assertEquals(ServingState.Kind.NOT_SERVED, t.kind());
        assertTrue(t.state().rejected().contains("r"));
        assertEquals(ServingState.Kind.INVALID, t.state().apply(cand("r", 4, 0.5), false).kind());
        assertEquals(ServingState.Kind.INVALID, t.state().apply(ev("r", CheckpointStatus.PROMOTED, 4), false).kind());
        assertEquals(ServingState.Kind.INVALID, t.state().apply(cand("c", 4, 0), false).kind(), "share 0");
        assertEquals(ServingState.Kind.INVALID, t.state().apply(cand("c", 4, 1.5), false).kind(), "share > 1");
        assertEquals("a", t.state().controlId());
    }

    @Test
    void rollbackWithdrawsTheCandidateOrRevertsTheControlButNeverALateOne() {
        ServingState s = ServingState.EMPTY.apply(ev("a", CheckpointStatus.PROMOTED, 1), false).state()
                .apply(cand("b", 2, 0.1), false).state();
        // withdraw candidate b: the event names the control served afterwards and the withdrawn one
        CheckpointEvent rb = ev("a", CheckpointStatus.ROLLED_BACK, 3).toBuilder().setRolledBackCheckpointId("b").build();
        ServingState t = s.apply(rb, false).state();
        assertNull(t.candidateId());
        assertEquals("a", t.controlId());
        // a new candidate c; a late rollback of b changes nothing
        t = t.apply(cand("c", 4, 0.1), false).state();
        ServingState.Transition late = t.apply(ev("a", CheckpointStatus.ROLLED_BACK, 5).toBuilder()
                .setRolledBackCheckpointId("b").build(), false);
        assertEquals(ServingState.Kind.NOT_SERVED, late.kind());
        assertEquals("c", late.state().candidateId());
        // promote c, then revert the control c to a
        t = late.state().apply(ev("c", CheckpointStatus.PROMOTED, 6), false).state();
        t = t.apply(ev("a", CheckpointStatus.ROLLED_BACK, 7).toBuilder().setRolledBackCheckpointId("c").build(), false)
                .state();
        assertEquals("a", t.controlId());
        // without rolled_back_checkpoint_id: the event's checkpoint is the one served again
        t = t.apply(ev("c", CheckpointStatus.ROLLED_BACK, 8), false).state();
        assertEquals("c", t.controlId());
    }

    @Test
    void legacyEventsKeepTheirOldMeaning() {
        CheckpointEvent plain = CheckpointEvent.newBuilder().setCheckpointId("p").setUri("/p").setSha256("ab").build();
        assertEquals(ServingState.Kind.NOT_SERVED, ServingState.EMPTY.apply(plain, false).kind());
        assertEquals(ServingState.Kind.LEGACY, ServingState.EMPTY.apply(plain, true).kind());
        ServingState s = ServingState.EMPTY.apply(plain.toBuilder().setPromoted(true).build(), false).state();
        assertEquals("p", s.controlId());
        assertEquals(0, s.sequence());
    }
}
