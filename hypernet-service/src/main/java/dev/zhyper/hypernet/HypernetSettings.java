package dev.zhyper.hypernet;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/**
 * {@code zhyper.hypernet.*} settings (documented in application.properties). A @Singleton with @ConfigProperty fields,
 * as every service's settings (docs/adr/0017-one-service-skeleton-and-config-style.md); the checkpoint keys are
 * service-common's {@link dev.zhyper.service.common.CheckpointSource}.
 */
@Singleton
public class HypernetSettings {

    /** Longest accepted description, in characters (Java chars). */
    @ConfigProperty(name = "zhyper.hypernet.max-description-chars", defaultValue = "4096")
    int maxDescriptionChars;

    /** How many recently loaded checkpoints stay in memory for explicit checkpoint_id requests (incl. the current). */
    @ConfigProperty(name = "zhyper.hypernet.loaded-checkpoints", defaultValue = "4")
    int loadedCheckpoints;

    /** Switch the current checkpoint only on CheckpointEvents with promoted = true (default: on every event). */
    @ConfigProperty(name = "zhyper.hypernet.promoted-only", defaultValue = "false")
    boolean promotedOnly;

    /** base_model_name_or_path written into exported PEFT configs; default: zhyper.model.dir. */
    @ConfigProperty(name = "zhyper.hypernet.base-model-name")
    Optional<String> baseModelName;

    public int maxDescriptionChars() { return maxDescriptionChars; }
    public int loadedCheckpoints() { return loadedCheckpoints; }
    public boolean promotedOnly() { return promotedOnly; }
    public Optional<String> baseModelName() { return baseModelName; }
}
