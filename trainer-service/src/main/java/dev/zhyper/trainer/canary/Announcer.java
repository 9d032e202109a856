package dev.zhyper.trainer.canary;

import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.trainer.EventPublisher;

/**
 * Assigns the {@code sequence} of every serving announcement this trainer publishes on zhyper.checkpoints:
 * {@code max(last + 1, epoch millis)}, where {@code last} is the highest sequence seen on the topic (recovered at
 * start from its history, then every event) or assigned here. Monotonic across restarts and across trainers as
 * long as clocks roughly agree (a lagging clock still gets last + 1). Publishing waits for the broker's ack.
 *
 * <p>TO UNIFY at merge with the gate's {@code EventPublisher.announce(CheckpointEvent.Builder)}: same semantics;
 * one of the two should remain and be the only sequencer of the process.
 */
public final class Announcer {

    private final EventPublisher events;
    private long last;

    public Announcer(EventPublisher events) {
        this.events = events;
    }

    /** Notes a sequence seen on the topic. */
    public synchronized void observe(long sequence) {
        last = Math.max(last, sequence);
    }

    public synchronized long last() {
        return last;
    }

    /** Sets schema version and the next sequence, publishes, returns the event sent. */
    public synchronized CheckpointEvent announce(CheckpointEvent.Builder b) {
        long seq = Math.max(last + 1, System.currentTimeMillis());
        CheckpointEvent e = b.setSchemaVersion(Topics.SCHEMA_VERSION).setSequence(seq).build();
        events.publishCheckpoint(e);
        last = seq;
        return e;
    }
}
