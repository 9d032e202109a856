package dev.zhyper.hypernet;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** {@code zhyper.hypernet.*} settings (documented in application.properties). */
@ConfigMapping(prefix = "zhyper.hypernet")
public interface HypernetConfig {

    /** Longest accepted description, in characters (Java chars). */
    @WithDefault("4096")
    int maxDescriptionChars();

    /** How many recently loaded checkpoints stay in memory for explicit checkpoint_id requests (incl. the current). */
    @WithDefault("4")
    int loadedCheckpoints();

    /** Switch the current checkpoint only on CheckpointEvents with promoted = true (default: on every event). */
    @WithDefault("false")
    boolean promotedOnly();

    /** base_model_name_or_path written into exported PEFT configs; default: zhyper.model.dir. */
    Optional<String> baseModelName();
}
