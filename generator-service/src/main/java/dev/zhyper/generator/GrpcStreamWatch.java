package dev.zhyper.generator;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sees the end of every gRPC HTTP/2 stream on the shared HTTP server, including a peer's RST_STREAM.
 *
 * <p>With {@code quarkus.grpc.server.use-separate-server=false} gRPC runs through the Vert.x bridge, which does not
 * surface a reset as a cancellation for a call whose request was fully received (every unary and server-streaming
 * call): the reset maps to a gRPC error other than CANCELLED, or is dropped once the request has ended
 * (quarkusio/quarkus#56268, eclipse-vertx/vert.x#5562). The handler then runs on and writes its late response to the
 * dead stream, and that write tears down the whole HTTP/2 connection (every other call on it fails with
 * RST_STREAM PROTOCOL_ERROR). This route runs before the gRPC route, tags the request with a watch id (a request
 * header the {@link CancellationGuard} reads back from the call's metadata) and fires the watch when the
 * response's stream closes before the response ended. See docs/adr/0007-grpc-cancellation-on-the-shared-port.md.
 */
@Singleton
public class GrpcStreamWatch {

    /** Request header carrying the watch id from this route to the gRPC interceptor. */
    public static final String HEADER = "zhyper-stream-watch";

    /** One gRPC stream; {@link #onGone} callbacks run on the stream's event loop. */
    public static final class Watch {
        private final List<Runnable> onGone = new ArrayList<>();
        private final io.vertx.core.Context loop;
        private boolean gone;

        Watch(io.vertx.core.Context loop) {
            this.loop = loop;
        }

        /** The event-loop context of the stream's connection: where its frames, resets included, are processed. */
        public io.vertx.core.Context loop() {
            return loop;
        }

        /** Registers a callback for the stream's premature end (runs at once if it already ended). */
        public void onGone(Runnable r) {
            boolean now;
            synchronized (this) {
                now = gone;
                if (!now) onGone.add(r);
            }
            if (now) r.run();
        }

        void fire() {
            List<Runnable> run;
            synchronized (this) {
                if (gone) return;
                gone = true;
                run = List.copyOf(onGone);
                onGone.clear();
            }
            run.forEach(Runnable::run);
        }
    }

    /** How long the watch of a closed stream stays findable for a call started late. */
    static final long LINGER_MS = 30_000;

    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    void install(@Observes Router router) {
        router.route().order(-10_000).handler(ctx -> {
            HttpServerRequest req = ctx.request();
            String type = req.getHeader("content-type");
            if (req.version() == HttpVersion.HTTP_2 && type != null && type.startsWith("application/grpc")) {
                String id = Long.toString(ids.incrementAndGet());
                Watch w = new Watch(io.vertx.core.Vertx.currentContext());
                watches.put(id, w);
                req.headers().set(HEADER, id);
                // Vert.x calls the endHandler also when the stream closes before the response ended (a reset:
                // Http2ServerResponse.handleClose runs it, then the closeHandler), so it forgets the watch only for
                // a response that really ended (the call was started long before and claimed it). closeHandler: the
                // stream closed (reset by the peer, or the connection went away); before the response ended that
                // fires the watch, which stays findable for a while: with a @Blocking method the interceptor runs
                // on a worker thread, possibly after the reset was processed, and must then see the stream gone.
                ctx.response().endHandler(v -> {
                    if (ctx.response().ended()) watches.remove(id);
                });
                ctx.response().closeHandler(v -> {
                    if (ctx.response().ended()) {
                        watches.remove(id);
                        return;
                    }
                    w.fire();
                    ctx.vertx().setTimer(LINGER_MS, t -> watches.remove(id));
                });
            }
            ctx.next();
        });
    }

    /** Claims the watch of a call (by its {@link #HEADER} value), or null (another transport, or long gone). */
    public Watch find(String id) {
        return id == null ? null : watches.remove(id);
    }

    /** Streams being watched (tests). */
    public int watched() {
        return watches.size();
    }
}
