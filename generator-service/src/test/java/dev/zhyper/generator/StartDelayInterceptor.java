package dev.zhyper.generator;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;

/**
 * Test only: starts a call that carries {@link #HEADER} that many milliseconds late, on the worker thread of a
 * {@code @Blocking} method, before {@link CancellationGuard} sees it — what a loaded machine does, where the event
 * loop processes a client's RST_STREAM before the worker gets to the call. Never sleeps on an event loop (that
 * would delay the reset too). Calls without the header are untouched.
 */
@ApplicationScoped
@GlobalInterceptor
public class StartDelayInterceptor implements ServerInterceptor, Prioritized {

    static final String HEADER = "zhyper-test-start-delay-ms";
    static final Metadata.Key<String> KEY = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);

    /** Inside Quarkus' blocking interceptor (it moves the call to a worker), outside the guard (priority 0). */
    @Override
    public int getPriority() {
        return 1_000;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        String ms = headers.get(KEY);
        if (ms != null && !io.vertx.core.Context.isOnEventLoopThread()) {
            try {
                Thread.sleep(Long.parseLong(ms));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return next.startCall(call, headers);
    }
}
