package dev.zhyper.generator;

import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.proto.v1.HypernetGrpc;
import dev.zhyper.proto.v1.ModulateRequest;
import dev.zhyper.proto.v1.ModulateResponse;
import dev.zhyper.service.common.ModulationCodec;
import dev.zhyper.service.common.ZhyperCaches;
import dev.zhyper.service.common.security.GrpcClientSecurity;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Turns a request's context into the modulation z for one engine (checkpoint): in-process with the engine's
 * adapter ({@code zhyper.hypernet.target=local}; context ids resolved through the Infinispan {@code zhyper-contexts}
 * registry), or by calling {@code zhyper.v1.Hypernet/Modulate} at {@code host:port} with the engine's checkpoint id
 * and converting the returned sites back into a {@link ContextModulation}; that client uses TLS and sends the bearer
 * token as {@code zhyper.grpc.client.*} says ({@link GrpcClientSecurity}).
 */
@ApplicationScoped
public class Modulations {

    @Inject
    GeneratorSettings settings;

    @Inject
    ZhyperCaches caches;

    @ConfigProperty(name = "zhyper.hypernet.deadline-ms", defaultValue = "10000")
    long deadlineMs;

    @Inject
    Config config;

    private volatile ManagedChannel channel;
    private volatile GrpcClientSecurity security;

    /** The description of a registered context id (local mode); NOT_FOUND if unknown. */
    public String resolveContextId(String contextId) {
        byte[] d = caches.cache(ZhyperCaches.CONTEXTS).get(contextId);
        if (d == null) {
            throw Status.NOT_FOUND.withDescription("unknown context_id '" + contextId + "'").asRuntimeException();
        }
        return new String(d, StandardCharsets.UTF_8);
    }

    /**
     * The modulation of a context (exactly one of description / contextId non-null) for {@code handle}'s checkpoint.
     */
    public ContextModulation modulate(EngineHandle handle, String description, String contextId) {
        if (handle.checkpointId() == null || handle.engine().adapter() == null) {
            throw Status.FAILED_PRECONDITION.withDescription("a context was given but no adapter checkpoint is loaded "
                    + "(set zhyper.checkpoint.dir or zhyper.ab.arms); omit the context to use the base model")
                    .asRuntimeException();
        }
        if (settings.localHypernet()) {
            String text = description != null ? description : resolveContextId(contextId);
            try {
                return handle.engine().modulate(text);
            } catch (IllegalArgumentException e) {
                throw Status.INVALID_ARGUMENT.withDescription("cannot modulate context: " + e.getMessage())
                        .asRuntimeException();
            }
        }
        ModulateRequest.Builder r = ModulateRequest.newBuilder().setCheckpointId(handle.checkpointId());
        if (description != null) r.setDescription(description);
        else r.setContextId(contextId);
        ModulateResponse resp = security().authorize(HypernetGrpc.newBlockingStub(channel()))
                .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).modulate(r.build());
        if (!handle.checkpointId().equals(resp.getCheckpointId())) {
            throw Status.FAILED_PRECONDITION.withDescription("hypernet answered for checkpoint "
                    + resp.getCheckpointId() + " but this arm serves " + handle.checkpointId()).asRuntimeException();
        }
        return fromResponse(resp, handle.engine().adapter());
    }

    /**
     * Converts a ModulateResponse into a ContextModulation ({@link ModulationCodec}), checking it matches the
     * adapter's method, sites and widths; FAILED_PRECONDITION if it does not.
     */
    static ContextModulation fromResponse(ModulateResponse resp, ZhyperAdapter adapter) {
        ContextModulation z;
        try {
            z = ModulationCodec.decode(resp);
        } catch (IllegalArgumentException e) {
            throw Status.FAILED_PRECONDITION.withDescription("hypernet: " + e.getMessage()).asRuntimeException();
        }
        if (!ModulationCodec.fits(z, adapter)) {
            throw Status.FAILED_PRECONDITION.withDescription("hypernet modulation (" + z.method() + ", "
                    + z.sites().size() + " sites) does not match the loaded adapter (" + adapter.spec().method()
                    + ", " + adapter.sites().size() + " sites)").asRuntimeException();
        }
        return z;
    }

    private ManagedChannel channel() {
        ManagedChannel c = channel;
        if (c == null) {
            synchronized (this) {
                if (channel == null) {
                    channel = security().channel(settings.hypernetTarget, 64 * 1024 * 1024);
                }
                c = channel;
            }
        }
        return c;
    }

    private GrpcClientSecurity security() {
        GrpcClientSecurity s = security;
        if (s == null) {
            s = GrpcClientSecurity.fromConfig(k -> config.getOptionalValue(k, String.class).orElse(null));
            security = s;
        }
        return s;
    }

    @PreDestroy
    void close() {
        if (channel != null) channel.shutdownNow();
    }
}
