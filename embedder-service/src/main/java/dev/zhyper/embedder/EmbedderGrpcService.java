package dev.zhyper.embedder;

import dev.zhyper.core.embed.CachingEmbedder;
import dev.zhyper.proto.v1.EmbedRequest;
import dev.zhyper.proto.v1.EmbedResponse;
import dev.zhyper.service.common.GrpcErrors;
import dev.zhyper.service.common.ModulationCodec;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

import java.util.List;

/** gRPC {@code zhyper.v1.Embedder}: validates, then embeds through the cached MiniLM embedder (on a worker thread). */
@GrpcService
public class EmbedderGrpcService implements dev.zhyper.proto.v1.Embedder {

    @Inject
    CachingEmbedder embedder;

    @Inject
    EmbedderSettings config;

    @Inject
    MeterRegistry registry;

    @Override
    @Blocking
    public Uni<EmbedResponse> embed(EmbedRequest request) {
        return GrpcErrors.uni(() -> {
            validate(request.getTextsList(), config);
            Timer.Sample sample = Timer.start(registry);
            float[][] vectors = embedder.embed(request.getTextsList());
            EmbedResponse.Builder b = EmbedResponse.newBuilder().setEmbedderId(embedder.id()).setDim(embedder.dim());
            for (float[] v : vectors) b.addVectors(ModulationCodec.vector(v));
            sample.stop(registry.timer("zhyper.embedder.embed", "texts", bucket(vectors.length)));
            return b.build();
        });
    }

    /** INVALID_ARGUMENT / RESOURCE_EXHAUSTED per the API contract in embedder.proto. */
    static void validate(List<String> texts, EmbedderSettings config) {
        if (texts.isEmpty()) {
            throw Status.INVALID_ARGUMENT.withDescription("texts must not be empty").asRuntimeException();
        }
        if (texts.size() > config.maxBatch()) {
            throw Status.RESOURCE_EXHAUSTED.withDescription("too many texts: " + texts.size() + " > max-batch "
                    + config.maxBatch()).asRuntimeException();
        }
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            if (t.isBlank()) {
                throw Status.INVALID_ARGUMENT.withDescription("texts[" + i + "] is blank").asRuntimeException();
            }
            if (t.length() > config.maxTextChars()) {
                throw Status.INVALID_ARGUMENT.withDescription("texts[" + i + "] has " + t.length()
                        + " characters > max-text-chars " + config.maxTextChars()).asRuntimeException();
            }
        }
    }

    private static String bucket(int n) {
        return n <= 1 ? "1" : n <= 8 ? "2-8" : n <= 64 ? "9-64" : "65+";
    }
}
