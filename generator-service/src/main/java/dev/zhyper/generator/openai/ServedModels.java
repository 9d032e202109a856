package dev.zhyper.generator.openai;

import dev.zhyper.generator.Serving;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model names of the OpenAI API and what a request's {@code model} means.
 *
 * <p>Served names ({@code GET /v1/models}): the base model ({@code zhyper.openai.model-name}, default the model
 * directory's name) and the checkpoint id of every A/B arm. A request whose {@code model} is a served name (or
 * absent) names no registered context: its context is its {@code description}, if any, and the A/B split (by
 * {@code user}) picks the checkpoint, as for gRPC. Any other {@code model} is a registered context id
 * ({@code context_id}); an unknown one is 404 {@code model_not_found}.
 */
@ApplicationScoped
public class ServedModels {

    @Inject
    Serving serving;

    @ConfigProperty(name = "zhyper.model.dir")
    String modelDir;

    @ConfigProperty(name = "zhyper.openai.model-name")
    Optional<String> modelName;

    private final long created = System.currentTimeMillis() / 1000;

    /** One entry of /v1/models: its id, kind ("base" or "checkpoint") and the arms serving it. */
    public record Entry(String id, String kind, List<String> arms) {}

    /** The name of the base model. */
    public String baseName() {
        if (modelName.isPresent() && !modelName.get().isBlank()) return modelName.get().trim();
        Path name = Path.of(modelDir).toAbsolutePath().normalize().getFileName();
        return name == null ? "zhyper" : name.toString();
    }

    /** The served models: the base model, then each distinct arm checkpoint (with its arms), in arm order. */
    public List<Entry> entries() {
        Map<String, List<String>> byCkpt = new LinkedHashMap<>();
        serving.armCheckpoints().forEach((arm, ckpt) -> {
            if (!ckpt.isEmpty()) byCkpt.computeIfAbsent(ckpt, k -> new ArrayList<>()).add(arm);
        });
        List<String> baseArms = new ArrayList<>();
        serving.armCheckpoints().forEach((arm, ckpt) -> {
            if (ckpt.isEmpty()) baseArms.add(arm);
        });
        List<Entry> out = new ArrayList<>();
        out.add(new Entry(baseName(), "base", baseArms));
        byCkpt.forEach((ckpt, arms) -> out.add(new Entry(ckpt, "checkpoint", arms)));
        return out;
    }

    public Optional<Entry> entry(String id) {
        return entries().stream().filter(e -> e.id().equals(id)).findFirst();
    }

    /** Unix seconds of the service start (the {@code created} of every listed model). */
    public long created() {
        return created;
    }

    /**
     * The registered context id that {@code model} names, or empty when it names a served model (or is null).
     * When no arm has an adapter checkpoint no context id can be used, so an unknown name is 404 at once.
     */
    public Optional<String> contextIdOf(String model) {
        if (model == null) return Optional.empty();
        if (entries().stream().anyMatch(e -> e.id().equals(model))) return Optional.empty();
        if (serving.armCheckpoints().values().stream().allMatch(String::isEmpty)) {
            throw OpenAiError.modelNotFound(model);
        }
        return Optional.of(model);
    }
}
