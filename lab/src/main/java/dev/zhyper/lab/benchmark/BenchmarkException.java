package dev.zhyper.lab.benchmark;

/** A benchmark input (task metadata, dataset file, record) that cannot be used; the message names the file. */
public class BenchmarkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BenchmarkException(String message) {
        super(message);
    }

    public BenchmarkException(String message, Throwable cause) {
        super(message, cause);
    }
}
