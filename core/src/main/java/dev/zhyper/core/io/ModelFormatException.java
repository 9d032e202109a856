package dev.zhyper.core.io;

import java.nio.file.Path;

/**
 * A model file (or model directory) is malformed or unreadable. The message is always
 * {@code "<file>: <problem>"}, so the user sees which file is at fault and why.
 */
public final class ModelFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file (or directory) at fault. */
    public Path file() {
        return file;
    }

    /** The problem, without the file name. */
    public String problem() {
        return problem;
    }
}
