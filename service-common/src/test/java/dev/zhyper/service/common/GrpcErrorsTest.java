package dev.zhyper.service.common;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The one failure → gRPC status mapping: refusals keep their code and message, anything else is INTERNAL. */
class GrpcErrorsTest {

    private static final StatusRuntimeException REFUSED =
            Status.INVALID_ARGUMENT.withDescription("texts must not be empty").asRuntimeException();

    @Test
    void aRefusalGoesToTheClientAsThrown() {
        assertSame(REFUSED, GrpcErrors.toStatus(REFUSED));
        assertSame(REFUSED, GrpcErrors.toStatus(new CompletionException(REFUSED)));
        assertSame(REFUSED, GrpcErrors.toStatus(new ExecutionException(new CompletionException(REFUSED))));
        Metadata trailers = new Metadata();
        trailers.put(Metadata.Key.of("why", Metadata.ASCII_STRING_MARSHALLER), "queue");
        StatusRuntimeException s = GrpcErrors.toStatus(
                Status.RESOURCE_EXHAUSTED.withDescription("queue full").asException(trailers));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getStatus().getCode());
        assertEquals("queue full", s.getStatus().getDescription());
        assertEquals("queue", s.getTrailers().get(Metadata.Key.of("why", Metadata.ASCII_STRING_MARSHALLER)));
    }

    @Test
    void anythingElseIsInternalAndNamesTheException() {
        IllegalStateException bug = new IllegalStateException("no engine");
        StatusRuntimeException s = GrpcErrors.toStatus(new CompletionException(bug));
        assertEquals(Status.Code.INTERNAL, s.getStatus().getCode());
        assertEquals("java.lang.IllegalStateException: no engine", s.getStatus().getDescription());
        assertSame(bug, s.getCause());
    }

    @Test
    void unaryAndStreamingRepliesCarryTheResultOrTheStatus() {
        assertEquals("ok", GrpcErrors.uni(() -> "ok").await().indefinitely());
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> GrpcErrors.uni(() -> { throw REFUSED; }).await().indefinitely());
        assertSame(REFUSED, refused);
        StatusRuntimeException internal = assertThrows(StatusRuntimeException.class,
                () -> GrpcErrors.<String>uni(() -> { throw new ArithmeticException("/ by zero"); })
                        .await().indefinitely());
        assertEquals(Status.Code.INTERNAL, internal.getStatus().getCode());
        assertEquals("java.lang.ArithmeticException: / by zero", internal.getStatus().getDescription());

        assertEquals(List.of(1, 2, 3), GrpcErrors.multi(() -> List.of(1, 2, 3)).collect().asList().await()
                .indefinitely());
        StatusRuntimeException streamed = assertThrows(StatusRuntimeException.class,
                () -> GrpcErrors.<Integer>multi(() -> { throw REFUSED; }).collect().asList().await().indefinitely());
        assertEquals(Status.Code.INVALID_ARGUMENT, streamed.getStatus().getCode());
    }
}
