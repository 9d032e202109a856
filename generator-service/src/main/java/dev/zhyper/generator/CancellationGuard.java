package dev.zhyper.generator;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes every gRPC call cancellation-safe on the shared HTTP server: a call whose stream was reset by the peer
 * ({@link GrpcStreamWatch}), or whose deadline ({@code grpc-timeout}) passed, is finished exactly once — the
 * handler's {@link CallGuard#onCancel} callbacks run (the generator drops the request from its batch) and
 * nothing more is ever written to the stream. An expired call is answered DEADLINE_EXCEEDED while its stream is
 * still open; a reset stream gets no write at all. All writes run on the call's Vert.x event loop, the thread that
 * also processes the reset and marks the call closed at that moment, so a write either precedes the reset or is
 * dropped.
 */
@ApplicationScoped
@GlobalInterceptor
public class CancellationGuard implements ServerInterceptor {

    private static final Logger LOG = Logger.getLogger(CancellationGuard.class);
    static final Metadata.Key<String> WATCH = Metadata.Key.of(GrpcStreamWatch.HEADER, Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> TIMEOUT = Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);

    /** The guard of the call being handled (set in the io.grpc.Context of its listener callbacks). */
    public static final Context.Key<CallGuard> CURRENT = Context.key("zhyper-call-guard");

    @Inject
    GrpcStreamWatch watches;

    @Inject
    Vertx vertx;

    /** What a handler sees of its call: its deadline and a cancellation hook. */
    public interface CallGuard {
        /** Runs r when the call is cancelled (reset, disconnected or expired); at once if it already was. */
        void onCancel(Runnable r);

        /** The call's deadline as System.nanoTime(), or Long.MAX_VALUE without one. */
        long deadlineNanos();

        boolean isCancelled();
    }

    /** The current call's guard, or null outside a guarded gRPC call. */
    public static CallGuard current() {
        return CURRENT.get();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        GrpcStreamWatch.Watch w = watches.find(headers.get(WATCH));
        // writes run on the connection's event loop (the watch saw it in the HTTP route; interceptors may run on a
        // worker thread), in order with the frames that carry the peer's reset. Without a watch, the current
        // context still names that loop when it is the request's (duplicated) event-loop context, as on the
        // worker of a @Blocking method: Vert.x drops a write made on the loop to a stream that was reset, while a
        // write made on another thread is checked first and queued, and may then reach the dead stream.
        io.vertx.core.Context here = Vertx.currentContext();
        io.vertx.core.Context loop = w != null ? w.loop() : here != null && here.isEventLoopContext() ? here : null;
        Guarded<Q, R> guarded = new Guarded<>(call, loop);
        Long timeout = parseTimeoutNanos(headers.get(TIMEOUT));
        if (timeout != null) {
            guarded.deadline = System.nanoTime() + timeout;
            long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeout));
            long timer = vertx.setTimer(ms, id -> guarded.run(guarded::expire));
            guarded.onCancel(() -> vertx.cancelTimer(timer));
        }
        // synchronously, on the event loop that processes the reset: a write queued before it but run after it
        // must already see the call closed
        if (w != null) w.onGone(guarded::peerGone);
        ServerCall.Listener<Q> downstream = Contexts.interceptCall(Context.current().withValue(CURRENT, guarded),
                guarded, headers, next);
        guarded.listener = downstream;
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(downstream) {
            private boolean gotMessage;

            @Override
            public void onMessage(Q message) {
                gotMessage = true;
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!gotMessage && !call.getMethodDescriptor().getType().clientSendsOneMessage()) {
                    super.onHalfClose();
                    return;
                }
                if (!gotMessage) {
                    // the transport dropped a request it could not parse (grpc-java would say INTERNAL
                    // "Half-closed without a request"): that is the client's error
                    guarded.close(Status.INVALID_ARGUMENT.withDescription("the request message could not be parsed: "
                            + "malformed protobuf, or a string field that is not valid UTF-8"), new Metadata());
                    guarded.run(guarded::peerGone);
                    return;
                }
                super.onHalfClose();
            }

            @Override
            public void onCancel() {
                // the transport itself reported a cancellation: same path (at once), never twice downstream
                guarded.peerGone();
            }

            @Override
            public void onComplete() {
                guarded.completed();
                super.onComplete();
            }
        };
    }

    /** grpc-timeout: 1-8 digits and a unit H M S m u n (gRPC over HTTP/2); null when absent or malformed. */
    static Long parseTimeoutNanos(String v) {
        if (v == null || v.length() < 2 || v.length() > 9) return null;
        long n;
        try {
            n = Long.parseLong(v.substring(0, v.length() - 1));
        } catch (NumberFormatException e) {
            return null;
        }
        if (n < 0) return null;
        return switch (v.charAt(v.length() - 1)) {
            case 'H' -> TimeUnit.HOURS.toNanos(n);
            case 'M' -> TimeUnit.MINUTES.toNanos(n);
            case 'S' -> TimeUnit.SECONDS.toNanos(n);
            case 'm' -> TimeUnit.MILLISECONDS.toNanos(n);
            case 'u' -> TimeUnit.MICROSECONDS.toNanos(n);
            case 'n' -> n;
            default -> null;
        };
    }

    private static final class Guarded<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R>
            implements CallGuard {
        private final io.vertx.core.Context loop;
        private final List<Runnable> onCancel = new ArrayList<>();
        volatile long deadline = Long.MAX_VALUE;
        volatile ServerCall.Listener<Q> listener;
        /** Closed (by the handler, an expiry or a reset): nothing more is written. Guarded by this. */
        private boolean closed;
        private boolean cancelled;

        Guarded(ServerCall<Q, R> delegate, io.vertx.core.Context loop) {
            super(delegate);
            this.loop = loop;
        }

        /** Runs r on the call's event loop (in order with every write), or here without one. */
        void run(Runnable r) {
            if (loop == null) {
                r.run();
            } else {
                loop.runOnContext(v -> r.run());
            }
        }

        @Override
        public void sendHeaders(Metadata headers) {
            run(() -> {
                if (!isClosed()) super.sendHeaders(headers);
            });
        }

        @Override
        public void sendMessage(R message) {
            run(() -> {
                if (!isClosed()) super.sendMessage(message);
            });
        }

        @Override
        public void close(Status status, Metadata trailers) {
            run(() -> {
                synchronized (this) {
                    if (closed) return;
                    closed = true;
                }
                super.close(status, trailers);
            });
        }

        @Override
        public boolean isCancelled() {
            synchronized (this) {
                if (cancelled) return true;
            }
            return super.isCancelled();
        }

        @Override
        public long deadlineNanos() {
            return deadline;
        }

        private synchronized boolean isClosed() {
            return closed;
        }

        /** The deadline passed: answer DEADLINE_EXCEEDED on the (still open) stream, then cancel. */
        void expire() {
            synchronized (this) {
                if (closed) return;
                closed = true;
            }
            try {
                super.close(Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded (grpc-timeout) on the server"),
                        new Metadata());
            } catch (RuntimeException e) {
                LOG.debugf(e, "closing an expired call");
            }
            cancel();
        }

        /** The peer reset the stream or went away: never write again, then cancel. */
        void peerGone() {
            synchronized (this) {
                closed = true;
            }
            cancel();
        }

        void completed() {
            synchronized (this) {
                closed = true;
                onCancel.clear();
            }
        }

        private void cancel() {
            List<Runnable> run;
            synchronized (this) {
                if (cancelled) return;
                cancelled = true;
                run = List.copyOf(onCancel);
                onCancel.clear();
            }
            for (Runnable r : run) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.warnf(e, "cancellation callback failed");
                }
            }
            ServerCall.Listener<Q> l = listener;
            if (l != null) {
                try {
                    l.onCancel();
                } catch (RuntimeException e) {
                    LOG.debugf(e, "listener onCancel failed");
                }
            }
        }

        @Override
        public void onCancel(Runnable r) {
            boolean now;
            synchronized (this) {
                now = cancelled;
                if (!now) onCancel.add(r);
            }
            if (now) r.run();
        }
    }
}
