package dev.zhyper.generator;

import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.proto.v1.GateResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last announcement the generator accepted for each of the most recent checkpoints ({@value #CAPACITY} of them,
 * the least recently announced dropped first): its lifecycle status and, when the producer gated it, the gate's
 * metrics. An announcement without a gate keeps the gate seen before for that checkpoint (a PROMOTED after a gated
 * CANDIDATE). A ROLLED_BACK is noted against the checkpoint it withdraws. Thread-safe: written by the checkpoint
 * follower, read by the playground's {@code GET /zhyper/v1/serving}.
 */
public final class Announcements {

    public static final int CAPACITY = 64;

    /** One checkpoint as last announced; {@code gate} is null when it was never gated. */
    public record Seen(String checkpointId, CheckpointStatus status, long sequence, GateResult gate) {
        /** REJECTED and UNGATED checkpoints are never served. */
        public boolean neverServed() {
            return status == CheckpointStatus.REJECTED || status == CheckpointStatus.UNGATED;
        }
    }

    private final Map<String, Seen> seen = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > CAPACITY;
        }
    };

    /** Notes an announcement that was applied (or accepted as never served). */
    public synchronized void note(CheckpointEvent e) {
        String id = e.getStatus() == CheckpointStatus.ROLLED_BACK && !e.getRolledBackCheckpointId().isBlank()
                ? e.getRolledBackCheckpointId() : e.getCheckpointId();
        Seen before = seen.remove(id); // re-inserted: the newest announcement last
        GateResult gate = e.hasGate() ? e.getGate() : before == null ? null : before.gate();
        seen.put(id, new Seen(id, e.getStatus(), e.getSequence(), gate));
    }

    public synchronized Optional<Seen> get(String checkpointId) {
        return Optional.ofNullable(checkpointId == null ? null : seen.get(checkpointId));
    }

    /** The remembered checkpoints, the most recently announced first. */
    public synchronized List<Seen> recent() {
        List<Seen> l = new ArrayList<>(seen.values());
        java.util.Collections.reverse(l);
        return l;
    }
}
