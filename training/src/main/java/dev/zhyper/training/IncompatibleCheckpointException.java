package dev.zhyper.training;

import java.nio.file.Path;

/**
 * A checkpoint to continue training from was trained with another adapter spec (method, rank, targets, layers) than
 * the run asks for. Typed, so callers can fall back (e.g. train from scratch) without matching messages.
 */
public final class IncompatibleCheckpointException extends IllegalArgumentException {

    private final transient Path checkpoint;

    public IncompatibleCheckpointException(Path checkpoint, String message) {
        super(message);
        this.checkpoint = checkpoint;
    }

    public Path checkpoint() {
        return checkpoint;
    }
}
