package dev.zhyper.generator;

import dev.zhyper.proto.v1.GenerateChunk;
import dev.zhyper.proto.v1.GenerateRequest;
import dev.zhyper.proto.v1.GenerateResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import jakarta.inject.Inject;

/**
 * gRPC {@code zhyper.v1.Generator}. Validation, context resolution and modulation run on a Quarkus worker thread
 * ({@code @Blocking}, never the event loop); decoding runs on the batcher's dedicated thread; the reply completes
 * asynchronously when the request's batch ends.
 */
@GrpcService
public class GeneratorGrpcService implements dev.zhyper.proto.v1.Generator {

    @Inject
    GenerationService service;

    @Override
    @Blocking
    public Uni<GenerateResponse> generate(GenerateRequest request) {
        GenerationService.Pending p;
        try {
            p = service.submit(request, null);
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(GenerationService.unwrap(e));
        }
        return Uni.createFrom().completionStage(p.response())
                .onFailure().transform(GenerationService::unwrap);
    }

    @Override
    @Blocking
    public Multi<GenerateChunk> generateStream(GenerateRequest request) {
        UnicastProcessor<GenerateChunk> out = UnicastProcessor.create();
        GenerationService.Pending p;
        try {
            p = service.submit(request, delta -> out.onNext(GenerateChunk.newBuilder().setTextDelta(delta).build()));
        } catch (RuntimeException e) {
            return Multi.createFrom().failure(GenerationService.unwrap(e));
        }
        p.response().whenComplete((r, e) -> {
            if (e != null) {
                out.onError(GenerationService.unwrap(e));
            } else {
                out.onNext(GenerateChunk.newBuilder().setFinal(r).build());
                out.onComplete();
            }
        });
        return out;
    }
}
