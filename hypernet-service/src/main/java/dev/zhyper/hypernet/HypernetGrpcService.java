package dev.zhyper.hypernet;

import dev.zhyper.proto.v1.ExportPeftRequest;
import dev.zhyper.proto.v1.FileChunk;
import dev.zhyper.proto.v1.ModulateRequest;
import dev.zhyper.proto.v1.ModulateResponse;
import dev.zhyper.proto.v1.RegisterContextRequest;
import dev.zhyper.proto.v1.RegisterContextResponse;
import dev.zhyper.service.common.GrpcErrors;
import dev.zhyper.service.common.ModulationCodec;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;


/** gRPC {@code zhyper.v1.Hypernet}: a thin shell over {@link ModulationService} (on worker threads). */
@GrpcService
public class HypernetGrpcService implements dev.zhyper.proto.v1.Hypernet {

    private static final Logger LOG = Logger.getLogger(HypernetGrpcService.class);

    @Inject
    ModulationService service;

    @Inject
    MeterRegistry registry;

    @Inject
    ContextEventPublisher contextEvents;

    @Override
    @Blocking
    public Uni<ModulateResponse> modulate(ModulateRequest request) {
        return GrpcErrors.uni(() -> {
            Timer.Sample sample = Timer.start(registry);
            ModulationService.ContextRef ctx = switch (request.getContextCase()) {
                case DESCRIPTION -> new ModulationService.ContextRef(request.getDescription(), null, null);
                case CONTEXT_ID -> new ModulationService.ContextRef(null, request.getContextId(), null);
                case EMBEDDING -> new ModulationService.ContextRef(null, null, ModulationCodec.floats(request.getEmbedding()));
                case CONTEXT_NOT_SET -> throw Status.INVALID_ARGUMENT
                        .withDescription("no context set: one of description, context_id, embedding is required")
                        .asRuntimeException();
            };
            ModulationService.Modulated m = service.modulate(ctx, request.getCheckpointId());
            sample.stop(registry.timer("zhyper.hypernet.modulate", "cache", m.cacheHit() ? "hit" : "miss"));
            return m.response();
        });
    }

    @Override
    @Blocking
    public Uni<RegisterContextResponse> registerContext(RegisterContextRequest request) {
        return GrpcErrors.uni(() -> {
            String hash = service.registerContext(request.getContextId(), request.getDescription());
            try {
                contextEvents.publish(hash, request.getContextId(), request.getDescription());
            } catch (Exception e) {
                // the registration itself is stored; only the precompute announcement failed
                LOG.warnf("context %s registered, but publishing its ContextEvent failed: %s",
                        request.getContextId(), e.toString());
            }
            return RegisterContextResponse.newBuilder().setContextId(request.getContextId()).setContextHash(hash)
                    .build();
        });
    }

    @Override
    @Blocking
    public Multi<FileChunk> exportPeft(ExportPeftRequest request) {
        return GrpcErrors.multi(() -> {
            ModulationService.ContextRef ctx = switch (request.getContextCase()) {
                case DESCRIPTION -> new ModulationService.ContextRef(request.getDescription(), null, null);
                case CONTEXT_ID -> new ModulationService.ContextRef(null, request.getContextId(), null);
                case EMBEDDING -> new ModulationService.ContextRef(null, null, ModulationCodec.floats(request.getEmbedding()));
                case CONTEXT_NOT_SET -> throw Status.INVALID_ARGUMENT
                        .withDescription("no context set: one of description, context_id, embedding is required")
                        .asRuntimeException();
            };
            return service.exportPeft(ctx, request.getCheckpointId());
        });
    }
}
