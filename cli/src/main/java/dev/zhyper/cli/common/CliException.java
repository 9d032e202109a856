package dev.zhyper.cli.common;

/** A failure whose message is meant for the user as is (reported as {@code error: <message>}, exit code 1). */
public class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
