package dev.zhyper.service.common;

import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the announcements on {@code zhyper.checkpoints} say should be served: the promoted {@code control}, an
 * optional {@code candidate} at {@code candidateShare} of the control's traffic, the highest {@code sequence}
 * applied, the control before the current one (for rollbacks), and the checkpoints that were REJECTED (never
 * served). Immutable; {@link #apply} is the one rule book shared by generator, hypernet and the trainer's canary
 * judge (docs/adr/0010-canary-promotion.md):
 *
 * <ul>
 *   <li>an event with {@code sequence > 0} lower than the last applied one is {@link Kind#STALE} (ignored, counted):
 *       a replayed or older announcement never rolls anything back;</li>
 *   <li>CANDIDATE: that checkpoint becomes the candidate at {@code traffic_share} (0 &lt; share &le; 1);</li>
 *   <li>PROMOTED: it becomes the control (and is no longer the candidate);</li>
 *   <li>REJECTED, UNGATED: never served (a rejected candidate is withdrawn; a rejected id is refused later);</li>
 *   <li>ROLLED_BACK: the withdrawn checkpoint ({@code rolled_back_checkpoint_id}, else {@code checkpoint_id}) stops
 *       being the candidate, or — when it is the control — the event's checkpoint becomes control again;</li>
 *   <li>status UNSPECIFIED (older producers, sequence 0) is {@link Kind#LEGACY}: {@code promoted = true} (or any
 *       event when {@code legacyFollowsUnpromoted}) makes it the control, as before the lifecycle existed.</li>
 * </ul>
 */
public record ServingState(Ref control, Ref candidate, double candidateShare, long sequence, Ref previousControl,
                           Set<String> rejected) {

    /** Most rejected ids remembered (oldest forgotten first). */
    public static final int MAX_REJECTED = 10_000;

    public static final ServingState EMPTY = new ServingState(null, null, 0, 0, null, Set.of());

    public ServingState {
        rejected = Set.copyOf(rejected);
    }

    /** One announced checkpoint: id, location, manifest sha256, step. */
    public record Ref(String checkpointId, String uri, String sha256, long step) {
        public Ref {
            Objects.requireNonNull(checkpointId);
        }

        public static Ref of(CheckpointEvent e) {
            return new Ref(e.getCheckpointId(), e.getUri(), e.getSha256(), e.getStep());
        }

        public boolean is(String id) {
            return checkpointId.equals(id);
        }
    }

    /** What an event did. */
    public enum Kind {
        /** The served state changed. */
        APPLIED,
        /** Valid and applied, but nothing served changes (UNGATED, REJECTED of an unserved checkpoint, a no-op). */
        NOT_SERVED,
        /** Ignored: its sequence is lower than the last applied one. */
        STALE,
        /** Unsequenced event of an older producer; the state shows its effect (control switched or not). */
        LEGACY,
        /** Refused (e.g. a traffic share outside (0, 1], a REJECTED checkpoint announced as CANDIDATE/PROMOTED). */
        INVALID
    }

    /** The result of {@link #apply}: what happened, the state afterwards (unchanged unless APPLIED/LEGACY), why. */
    public record Transition(Kind kind, ServingState state, String reason) {}

    public String controlId() {
        return control == null ? null : control.checkpointId();
    }

    public String candidateId() {
        return candidate == null ? null : candidate.checkpointId();
    }

    /** Applies one announcement (see the class comment). Never throws for a well-formed event. */
    public Transition apply(CheckpointEvent e, boolean legacyFollowsUnpromoted) {
        Ref ref = Ref.of(e);
        String id = e.getCheckpointId();
        CheckpointStatus status = e.getStatus();
        if (status == CheckpointStatus.CHECKPOINT_STATUS_UNSPECIFIED || status == CheckpointStatus.UNRECOGNIZED) {
            if (!e.getPromoted() && !legacyFollowsUnpromoted) {
                return new Transition(Kind.NOT_SERVED, this, "unsequenced event without promoted=true");
            }
            if (rejected.contains(id)) return invalid(id + " was REJECTED by the gate: never served");
            return new Transition(Kind.LEGACY, withControl(ref, sequence), "unsequenced event (older producer): control");
        }
        long seq = e.getSequence();
        if (seq > 0 && seq < sequence) {
            return new Transition(Kind.STALE, this, "sequence " + seq + " < last applied " + sequence);
        }
        long next = Math.max(sequence, seq);
        switch (status) {
            case UNGATED:
                return notServed(next, "UNGATED: not evaluated, never served automatically");
            case REJECTED: {
                Set<String> rej = addRejected(id);
                if (candidate != null && candidate.is(id)) {
                    return new Transition(Kind.APPLIED, new ServingState(control, null, 0, next, previousControl, rej),
                            "REJECTED candidate withdrawn");
                }
                return new Transition(Kind.NOT_SERVED, new ServingState(control, candidate, candidateShare, next,
                        previousControl, rej), "REJECTED: never served");
            }
            case CANDIDATE: {
                if (rejected.contains(id)) return invalid(id + " was REJECTED by the gate: never served");
                double share = e.getTrafficShare();
                if (!(share > 0 && share <= 1)) {
                    return invalid("CANDIDATE " + id + " needs a traffic_share in (0, 1], got " + share);
                }
                if (control != null && control.is(id)) return notServed(next, id + " is already the control");
                if (candidate != null && candidate.is(id) && candidateShare == share) {
                    return notServed(next, id + " is already the candidate at " + share);
                }
                return new Transition(Kind.APPLIED, new ServingState(control, ref, share, next, previousControl,
                        rejected), "candidate at traffic share " + share);
            }
            case PROMOTED: {
                if (rejected.contains(id)) return invalid(id + " was REJECTED by the gate: never served");
                if (control != null && control.is(id)) return notServed(next, id + " is already the control");
                return new Transition(Kind.APPLIED, withControl(ref, next), "promoted to control");
            }
            case ROLLED_BACK: {
                String withdrawn = e.getRolledBackCheckpointId().isBlank() ? id : e.getRolledBackCheckpointId();
                if (candidate != null && candidate.is(withdrawn)) {
                    return new Transition(Kind.APPLIED, new ServingState(control, null, 0, next, previousControl,
                            rejected), "candidate " + withdrawn + " withdrawn");
                }
                boolean revert = e.getRolledBackCheckpointId().isBlank()
                        ? control == null || !control.is(id)
                        : control != null && control.is(withdrawn) && !withdrawn.equals(id);
                if (revert) {
                    if (rejected.contains(id)) return invalid(id + " was REJECTED by the gate: never served");
                    return new Transition(Kind.APPLIED, withControl(ref, next), "control reverted to " + id);
                }
                return notServed(next, "nothing to roll back: " + withdrawn + " is neither the candidate ("
                        + candidateId() + ") nor the control (" + controlId() + ")");
            }
            default:
                return invalid("unknown status " + status);
        }
    }

    private ServingState withControl(Ref ref, long seq) {
        boolean same = control != null && control.is(ref.checkpointId());
        Ref prev = same ? previousControl : control;
        if (candidate != null && candidate.is(ref.checkpointId())) {
            return new ServingState(ref, null, 0, seq, prev, rejected);
        }
        return new ServingState(ref, candidate, candidateShare, seq, prev, rejected);
    }

    private Transition notServed(long seq, String reason) {
        return new Transition(Kind.NOT_SERVED, new ServingState(control, candidate, candidateShare, seq,
                previousControl, rejected), reason);
    }

    private Transition invalid(String reason) {
        return new Transition(Kind.INVALID, this, reason);
    }

    private Set<String> addRejected(String id) {
        LinkedHashSet<String> s = new LinkedHashSet<>(rejected);
        s.add(id);
        while (s.size() > MAX_REJECTED) s.remove(s.iterator().next());
        return s;
    }

    /** An event of the topic's history with its record (for dead letters). */
    public record Announced(ConsumerRecord<String, byte[]> record, CheckpointEvent event) {}

    /**
     * The order in which a history is folded: by sequence (unsequenced events of older producers first), then by
     * record timestamp, partition and offset.
     */
    public static List<Announced> inFoldOrder(List<Announced> history) {
        List<Announced> l = new ArrayList<>(history);
        l.sort(Comparator.<Announced>comparingLong(a -> a.event().getSequence())
                .thenComparingLong(a -> a.record().timestamp())
                .thenComparingInt(a -> a.record().partition())
                .thenComparingLong(a -> a.record().offset()));
        return l;
    }

    @Override
    public String toString() {
        return "ServingState[control=" + controlId() + ", candidate=" + candidateId()
                + (candidate == null ? "" : " @" + candidateShare) + ", sequence=" + sequence + "]";
    }
}
