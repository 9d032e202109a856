package dev.zhyper.hypernet;

import dev.zhyper.core.io.DurableFiles;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.adapter.PeftExport;
import dev.zhyper.core.checkpoint.Sha256;
import dev.zhyper.proto.v1.FileChunk;
import dev.zhyper.proto.v1.ModulateResponse;
import dev.zhyper.service.common.InfinispanEmbeddingCache;
import dev.zhyper.service.common.ModulationCodec;
import dev.zhyper.service.common.ZhyperCaches;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.infinispan.commons.api.BasicCache;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The hypernet's logic, shared by the gRPC service and the Kafka consumers: resolve a context (description, registered
 * id, or embedding), take a lease on the requested checkpoint, return z from the {@code zhyper-modulations} cache or
 * compute it (and cache it), build the response; register contexts; export PEFT adapters. Errors are gRPC
 * {@link io.grpc.StatusRuntimeException}s with a message.
 */
@ApplicationScoped
public class ModulationService {

    private static final Logger LOG = Logger.getLogger(ModulationService.class);
    /** Valid context ids. */
    static final Pattern CONTEXT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** Largest chunk of a streamed file. */
    static final int CHUNK = 1 << 20;

    @Inject
    CheckpointRegistry registry;

    @Inject
    ContextEmbedder embedder;

    @Inject
    ZhyperCaches caches;

    @Inject
    HypernetSettings config;

    @Inject
    MeterRegistry meters;

    @ConfigProperty(name = "zhyper.model.dir")
    String modelDir;

    Counter hits;
    Counter misses;

    @PostConstruct
    void metrics() {
        hits = Counter.builder("zhyper.hypernet.cache.hits").description("modulations answered from zhyper-modulations")
                .register(meters);
        misses = Counter.builder("zhyper.hypernet.cache.misses").description("modulations computed by the hypernetwork")
                .register(meters);
    }

    public double cacheHits() { return hits.count(); }

    public double cacheMisses() { return misses.count(); }

    /** A context as given: exactly one of description, contextId, embedding is set. */
    public record ContextRef(String description, String contextId, float[] embedding) {
        public static ContextRef ofDescription(String d) { return new ContextRef(d, null, null); }
    }

    /** A computed (or cached) modulation. */
    public record Modulated(ModulateResponse response, String contextHash, String description, boolean cacheHit) {}

    /** Hex sha256 of the UTF-8 description: the context hash (Kafka key, cache key part). */
    public static String contextHash(String description) {
        return Sha256.ofBytes(description.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------------------------ contexts

    public static void validateContextId(String id) {
        if (id == null || id.isEmpty()) {
            throw Status.INVALID_ARGUMENT.withDescription("context_id must not be empty").asRuntimeException();
        }
        if (id.length() > 128) {
            throw Status.INVALID_ARGUMENT.withDescription("context_id has " + id.length() + " characters > 128")
                    .asRuntimeException();
        }
        if (!CONTEXT_ID.matcher(id).matches()) {
            throw Status.INVALID_ARGUMENT.withDescription("context_id '" + id
                    + "' has characters outside [A-Za-z0-9._:-]").asRuntimeException();
        }
    }

    public void validateDescription(String d, String field) {
        if (d == null || d.isBlank()) {
            throw Status.INVALID_ARGUMENT.withDescription(field + " is blank").asRuntimeException();
        }
        if (d.length() > config.maxDescriptionChars()) {
            throw Status.INVALID_ARGUMENT.withDescription(field + " has " + d.length()
                    + " characters > max-description-chars " + config.maxDescriptionChars()).asRuntimeException();
        }
    }

    /** Stores id -> description in zhyper-contexts; returns the context hash. */
    public String registerContext(String id, String description) {
        validateContextId(id);
        validateDescription(description, "description");
        caches.cache(ZhyperCaches.CONTEXTS).put(id, description.getBytes(StandardCharsets.UTF_8));
        return contextHash(description);
    }

    /** The description registered under {@code id}; NOT_FOUND if unknown. */
    public String lookupContext(String id) {
        validateContextId(id);
        byte[] d = caches.cache(ZhyperCaches.CONTEXTS).get(id);
        if (d == null) {
            throw Status.NOT_FOUND.withDescription("context_id '" + id + "' is not registered (RegisterContext first)")
                    .asRuntimeException();
        }
        return new String(d, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------ modulate

    /** Modulate: see hypernet.proto for the status codes. */
    public Modulated modulate(ContextRef ctx, String checkpointId) {
        Resolved r = resolve(ctx);
        try (LoadedCheckpoint.Lease lease = registry.acquire(checkpointId)) {
            return modulate(lease.checkpoint(), r);
        }
    }

    private record Resolved(String description, float[] embedding, String hash) {}

    private Resolved resolve(ContextRef ctx) {
        int set = (ctx.description() != null ? 1 : 0) + (ctx.contextId() != null ? 1 : 0)
                + (ctx.embedding() != null ? 1 : 0);
        if (set != 1) {
            throw Status.INVALID_ARGUMENT.withDescription("exactly one of description, context_id, embedding must be set")
                    .asRuntimeException();
        }
        if (ctx.embedding() != null) {
            float[] e = ctx.embedding();
            if (e.length == 0) {
                throw Status.INVALID_ARGUMENT.withDescription("embedding is empty").asRuntimeException();
            }
            for (int i = 0; i < e.length; i++) {
                if (!Float.isFinite(e[i])) {
                    throw Status.INVALID_ARGUMENT.withDescription("embedding[" + i + "] is not finite")
                            .asRuntimeException();
                }
            }
            return new Resolved(null, e, "embedding-" + Sha256.ofBytes(InfinispanEmbeddingCache.toBytes(e)));
        }
        String d;
        if (ctx.contextId() != null) {
            d = lookupContext(ctx.contextId());
        } else {
            d = ctx.description();
            validateDescription(d, "description");
        }
        return new Resolved(d, null, contextHash(d));
    }

    private Modulated modulate(LoadedCheckpoint c, Resolved r) {
        ZhyperAdapter adapter = c.adapter();
        int[] widths = adapter.widths();
        int total = 0;
        for (int w : widths) total += w;
        if (r.embedding() != null && c.method().usesHypernetwork() && r.embedding().length != c.embedDim()) {
            throw Status.INVALID_ARGUMENT.withDescription("embedding has dimension " + r.embedding().length
                    + ", checkpoint " + c.id() + " expects " + c.embedDim()).asRuntimeException();
        }
        String key = c.id() + ":" + r.hash();
        BasicCache<String, byte[]> cache = caches.cache(ZhyperCaches.MODULATIONS);
        float[] values = null;
        byte[] cached = cache.get(key);
        if (cached != null && cached.length == 4 * total) {
            values = InfinispanEmbeddingCache.fromBytes(cached);
        }
        boolean hit = values != null;
        if (hit) {
            hits.increment();
        } else {
            misses.increment();
            Timer.Sample sample = Timer.start(meters);
            float[] e;
            if (!c.method().usesHypernetwork()) {
                e = new float[0];
            } else if (r.embedding() != null) {
                e = r.embedding();
            } else {
                e = embedder.embed(c, r.description());
            }
            values = adapter.modulate(new float[][] {e}).get(0).values();
            sample.stop(meters.timer("zhyper.hypernet.compute"));
            try {
                cache.put(key, InfinispanEmbeddingCache.toBytes(values));
            } catch (RuntimeException ex) {
                LOG.warnf("could not cache modulation %s: %s", key, ex.toString()); // the cache is not the truth
            }
        }
        return new Modulated(response(c, values), r.hash(), r.description(), hit);
    }

    private static ModulateResponse response(LoadedCheckpoint c, float[] values) {
        ZhyperAdapter a = c.adapter();
        return ModulationCodec.encode(c.id(), a.spec().rank(),
                new ContextModulation(c.method(), a.sites(), a.widths(), values));
    }

    // ------------------------------------------------------------------------------------ export

    /** The PEFT files of a context's adapter, as chunks (≤ 1 MiB; last on each file's final chunk). */
    public List<FileChunk> exportPeft(ContextRef ctx, String checkpointId) {
        Resolved r = resolve(ctx);
        try (LoadedCheckpoint.Lease lease = registry.acquire(checkpointId)) {
            LoadedCheckpoint c = lease.checkpoint();
            Modulated m = modulate(c, r);
            ZhyperAdapter a = c.adapter();
            ContextModulation cm = ModulationCodec.decode(m.response());
            Path tmp = null;
            try {
                tmp = Files.createTempDirectory("zhyper-peft-");
                Path out = tmp.resolve("peft");
                PeftExport.write(out, a, cm, config.baseModelName().orElse(modelDir),
                        new PeftExport.Provenance(c.id(), r.description()));
                List<FileChunk> chunks = new ArrayList<>();
                chunk(out, PeftExport.CONFIG, chunks);
                chunk(out, PeftExport.WEIGHTS, chunks);
                return chunks;
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("PEFT export failed: " + e).asRuntimeException();
            } finally {
                if (tmp != null) deleteRecursively(tmp);
            }
        }
    }

    private static void chunk(Path dir, String name, List<FileChunk> out) throws IOException {
        byte[] all = Files.readAllBytes(dir.resolve(name));
        int pos = 0;
        do {
            int n = Math.min(CHUNK, all.length - pos);
            out.add(FileChunk.newBuilder().setFileName(name).setData(ByteString.copyFrom(all, pos, n))
                    .setLast(pos + n >= all.length).build());
            pos += n;
        } while (pos < all.length);
    }

    private static void deleteRecursively(Path root) {
        try {
            DurableFiles.deleteRecursively(root);
        } catch (IOException e) {
            LOG.warnf("could not delete %s: %s", root, e.getMessage());
        }
    }
}
