package dev.zhyper.core.io;

import java.nio.file.Path;

/** A model, checkpoint or weight file that cannot be used; the message names the file and the problem. */
public final class ModelFormatException extends RuntimeException {
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

    public Path file() { return file; }

    public String problem() { return problem; }
}
