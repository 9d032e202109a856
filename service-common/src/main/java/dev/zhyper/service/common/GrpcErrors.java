package dev.zhyper.service.common;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The one mapping of a failure to the gRPC status a client sees, for every gRPC service. The request path refuses a
 * request by throwing a {@link StatusRuntimeException} with the right code and message: that status goes to the
 * client as it is. Anything else is a bug or an outage, not the client's fault: INTERNAL, described by the exception
 * ({@code class: message}), logged with its stack trace by {@link #uni} and {@link #multi}.
 */
public final class GrpcErrors {

    private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

    private GrpcErrors() {}

    /**
     * The status of a failure: a gRPC status as thrown (also inside a {@link CompletionException} or
     * {@link ExecutionException}, as a future completes), INTERNAL for anything else.
     */
    public static StatusRuntimeException toStatus(Throwable t) {
        t = unwrap(t);
        if (t instanceof StatusRuntimeException s) return s;
        if (t instanceof StatusException s) return s.getStatus().asRuntimeException(s.getTrailers());
        return Status.INTERNAL.withDescription(String.valueOf(t)).withCause(t).asRuntimeException();
    }

    /** A unary call's reply: the body's result, or its failure as {@link #toStatus}. */
    public static <T> Uni<T> uni(Supplier<T> body) {
        try {
            return Uni.createFrom().item(body.get());
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(logged(e));
        }
    }

    /** A server-streaming call's reply: the body's items, or its failure as {@link #toStatus}. */
    public static <T> Multi<T> multi(Supplier<? extends Iterable<T>> body) {
        try {
            return Multi.createFrom().iterable(body.get());
        } catch (RuntimeException e) {
            return Multi.createFrom().failure(logged(e));
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static StatusRuntimeException logged(RuntimeException e) {
        Throwable u = unwrap(e);
        if (!(u instanceof StatusRuntimeException || u instanceof StatusException)) LOG.error("unexpected failure", u);
        return toStatus(u);
    }
}
