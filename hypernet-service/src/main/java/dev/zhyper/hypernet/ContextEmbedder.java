package dev.zhyper.hypernet;

import dev.zhyper.core.embed.CachingEmbedder;
import dev.zhyper.core.embed.MiniLmEmbedder;
import dev.zhyper.proto.v1.EmbedRequest;
import dev.zhyper.proto.v1.EmbedResponse;
import dev.zhyper.proto.v1.EmbedderGrpc;
import dev.zhyper.service.common.InfinispanEmbeddingCache;
import dev.zhyper.service.common.ModulationCodec;
import dev.zhyper.service.common.ZhyperCaches;
import dev.zhyper.service.common.security.GrpcClientSecurity;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Turns a description into the embedding a checkpoint's hypernetwork takes: one-hot checkpoints embed locally by
 * label; MiniLM checkpoints embed in-process ({@code zhyper.embedder.target=local}, through core's CachingEmbedder
 * over the shared {@code zhyper-embeddings} cache) or by calling {@code zhyper.v1.Embedder/Embed} of the
 * embedder-service ({@code zhyper.embedder.target=host:port}; TLS and bearer token by {@code zhyper.grpc.client.*},
 * {@link GrpcClientSecurity}).
 */
@ApplicationScoped
public class ContextEmbedder {

    @ConfigProperty(name = "zhyper.embedder.target", defaultValue = "local")
    String target;

    @ConfigProperty(name = "zhyper.embedder.timeout-ms", defaultValue = "30000")
    long timeoutMs;

    @Inject
    ZhyperCaches caches;

    @Inject
    Config config;

    private volatile CachingEmbedder local;
    private volatile ManagedChannel channel;
    private volatile EmbedderGrpc.EmbedderBlockingStub remote;

    public boolean isLocal() {
        return target == null || target.isBlank() || "local".equalsIgnoreCase(target.trim());
    }

    public String target() {
        return isLocal() ? "local" : target.trim();
    }

    /** The in-process MiniLM (created on first use). */
    public CachingEmbedder local() {
        CachingEmbedder e = local;
        if (e == null) {
            synchronized (this) {
                e = local;
                if (e == null) {
                    e = new CachingEmbedder(new MiniLmEmbedder(),
                            new InfinispanEmbeddingCache(caches.cache(ZhyperCaches.EMBEDDINGS)));
                    local = e;
                }
            }
        }
        return e;
    }

    /**
     * The embedding of {@code description} for checkpoint {@code c}.
     *
     * @throws StatusRuntimeException INVALID_ARGUMENT for an unknown one-hot label, UNAVAILABLE (or the embedder's
     *                                status) when the remote embedder fails
     */
    public float[] embed(LoadedCheckpoint c, String description) {
        if (c.labelEmbedder() != null) {
            try {
                return c.labelEmbedder().embed(List.of(description))[0];
            } catch (IllegalArgumentException e) {
                throw Status.INVALID_ARGUMENT.withDescription("checkpoint " + c.id() + " uses one-hot task labels: "
                        + e.getMessage()).asRuntimeException();
            }
        }
        if (isLocal()) {
            return local().embed(List.of(description))[0];
        }
        EmbedResponse r;
        try {
            r = remote().withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
                    .embed(EmbedRequest.newBuilder().addTexts(description).build());
        } catch (StatusRuntimeException e) {
            Status s = e.getStatus();
            Status out = s.getCode() == Status.Code.INVALID_ARGUMENT ? Status.INVALID_ARGUMENT : Status.UNAVAILABLE;
            throw out.withDescription("embedder " + target() + " failed: " + s.getCode() + " "
                    + s.getDescription()).withCause(e).asRuntimeException();
        }
        String want = c.embedder() == null ? MiniLmEmbedder.ID : c.embedder().id();
        if (!want.equals(r.getEmbedderId()) || r.getVectorsCount() != 1
                || r.getVectors(0).getValuesCount() != c.embedDim()) {
            throw Status.FAILED_PRECONDITION.withDescription("embedder " + target() + " answered with '"
                    + r.getEmbedderId() + "' dim " + r.getDim() + ", checkpoint " + c.id() + " needs '" + want
                    + "' dim " + c.embedDim()).asRuntimeException();
        }
        return ModulationCodec.floats(r.getVectors(0));
    }

    /** The stub of the remote embedder (channel created on first use). */
    private EmbedderGrpc.EmbedderBlockingStub remote() {
        EmbedderGrpc.EmbedderBlockingStub r = remote;
        if (r == null) {
            synchronized (this) {
                r = remote;
                if (r == null) {
                    GrpcClientSecurity s = GrpcClientSecurity.fromConfig(
                            k -> config.getOptionalValue(k, String.class).orElse(null));
                    channel = s.channel(target.trim(), 16 * 1024 * 1024);
                    r = s.authorize(EmbedderGrpc.newBlockingStub(channel));
                    remote = r;
                }
            }
        }
        return r;
    }

    @PreDestroy
    void close() {
        CachingEmbedder e = local;
        if (e != null) e.close();
        ManagedChannel c = channel;
        if (c != null) c.shutdownNow();
    }
}
