package dev.zhyper.generator.openai;

import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;

import java.util.ArrayList;
import java.util.List;

/**
 * A server-sent-events response ({@code data: ...\n\n} per event) written from any thread: every write is posted,
 * in call order, to the request's event loop. Events sent before {@link #open} (deltas decoded while the request
 * was still being admitted) are kept and written right after the headers. Writes after the client went away, or
 * after {@link #end}, are dropped.
 */
final class EventStream {

    private final HttpServerResponse response;
    private final Context eventLoop;
    private final List<String> early = new ArrayList<>();
    private boolean opened;
    private boolean ended;

    EventStream(HttpServerResponse response, Context eventLoop) {
        this.response = response;
        this.eventLoop = eventLoop;
    }

    /** Sends the 200 headers, then {@code first} (if non-null) and the events sent so far. */
    synchronized void open(String requestId, String first) {
        if (opened || ended) return;
        opened = true;
        post(() -> response.setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no")
                .putHeader("X-Request-Id", requestId));
        if (first != null) write(first);
        early.forEach(this::write);
        early.clear();
    }

    /** One {@code data:} event. */
    synchronized void data(String json) {
        if (ended) return;
        if (!opened) {
            early.add(json);
            return;
        }
        write(json);
    }

    /** Writes {@code last} (if non-null) as the final event and ends the response. */
    synchronized void end(String last) {
        if (ended) return;
        ended = true;
        if (!opened) return;
        if (last != null) write(last);
        post(response::end);
    }

    /** The client is gone: nothing more is written. */
    synchronized void drop() {
        ended = true;
        early.clear();
    }

    private void write(String data) {
        String event = "data: " + data + "\n\n";
        post(() -> response.write(event));
    }

    private void post(Runnable r) {
        eventLoop.runOnContext(v -> {
            if (!response.ended() && !response.closed()) r.run();
        });
    }
}
