package dev.zhyper.trainer.canary;

import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.trainer.EventPublisher;

/**
 * The canary's view of the trainer's one sequencer ({@link EventPublisher#announce}): every serving announcement
 * of this process (gate verdicts, promotions, rollbacks) gets {@code max(last + 1, epoch millis)}, where
 * {@code last} is the highest sequence handed out (persisted in trainer-state.json) or seen on zhyper.checkpoints
 * (fed here from the topic's history and every live event). Monotonic across restarts and across trainers as long
 * as clocks roughly agree (a lagging clock still gets last + 1).
 */
public final class Announcer {

    private final EventPublisher events;

    public Announcer(EventPublisher events) {
        this.events = events;
    }

    /** Notes a sequence seen on the topic. */
    public void observe(long sequence) {
        events.observeSequence(sequence);
    }

    public long last() {
        return events.lastSequence();
    }

    /** Sets schema version and the next sequence, publishes (waiting for the ack), returns the event sent. */
    public CheckpointEvent announce(CheckpointEvent.Builder b) {
        return events.announce(b);
    }
}
