package dev.zhyper.generator;

import dev.zhyper.proto.v1.GenerateChunk;
import dev.zhyper.proto.v1.GenerateRequest;
import dev.zhyper.proto.v1.GenerateResponse;
import dev.zhyper.service.common.GrpcErrors;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import jakarta.inject.Inject;

/**
 * gRPC {@code zhyper.v1.Generator}. Validation, context resolution and modulation run on a Quarkus worker thread
 * ({@code @Blocking}, never the event loop); decoding runs on the batcher's dedicated thread; the reply completes
 * asynchronously when the request's row finishes. A call that is reset, disconnected or past its deadline
 * ({@link CancellationGuard}) cancels its request: it leaves the queue or the batch at the next decode step.
 */
@GrpcService
public class GeneratorGrpcService implements dev.zhyper.proto.v1.Generator {

    @Inject
    GenerationService service;

    @Override
    @Blocking
    public Uni<GenerateResponse> generate(GenerateRequest request) {
        CancellationGuard.CallGuard guard = CancellationGuard.current();
        GenerationService.Pending p;
        try {
            p = submit(request, null, guard);
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(GrpcErrors.toStatus(e));
        }
        return Uni.createFrom().completionStage(p.response())
                .onCancellation().invoke(p::cancel)
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    @Blocking
    public Multi<GenerateChunk> generateStream(GenerateRequest request) {
        CancellationGuard.CallGuard guard = CancellationGuard.current();
        UnicastProcessor<GenerateChunk> out = UnicastProcessor.create();
        GenerationService.Pending p;
        try {
            p = submit(request, delta -> out.onNext(GenerateChunk.newBuilder().setTextDelta(delta).build()), guard);
        } catch (RuntimeException e) {
            return Multi.createFrom().failure(GrpcErrors.toStatus(e));
        }
        p.response().whenComplete((r, e) -> {
            if (e != null) {
                out.onError(GrpcErrors.toStatus(e));
            } else {
                out.onNext(GenerateChunk.newBuilder().setFinal(r).build());
                out.onComplete();
            }
        });
        return out.onCancellation().invoke(p::cancel);
    }

    private GenerationService.Pending submit(GenerateRequest request, java.util.function.Consumer<String> onDelta,
                                             CancellationGuard.CallGuard guard) {
        if (guard != null && guard.isCancelled()) {
            throw Status.CANCELLED.withDescription("the call was cancelled before it started").asRuntimeException();
        }
        long deadline = guard == null ? Long.MAX_VALUE : guard.deadlineNanos();
        GenerationService.Pending p = service.submit(request, onDelta, deadline);
        if (guard != null) guard.onCancel(p::cancel);
        return p;
    }
}
