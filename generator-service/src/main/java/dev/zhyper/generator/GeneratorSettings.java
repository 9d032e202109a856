package dev.zhyper.generator;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/** The generator's {@code zhyper.*} settings (each documented in application.properties). A @Singleton (no client
 * proxy) so that its fields can be read directly. The checkpoint keys ({@code zhyper.checkpoint.dir},
 * {@code zhyper.checkpoints.*}) are service-common's {@link dev.zhyper.service.common.CheckpointSource}. */
@Singleton
public class GeneratorSettings {

    /** HF base model directory (config.json, model.safetensors, tokenizer.json). */
    @ConfigProperty(name = "zhyper.model.dir")
    String modelDir;

    @ConfigProperty(name = "zhyper.device", defaultValue = "cpu")
    String device;

    @ConfigProperty(name = "zhyper.dtype", defaultValue = "fp32")
    String dtype;

    /** "local" or host:port of a Hypernet service. */
    @ConfigProperty(name = "zhyper.hypernet.target", defaultValue = "local")
    String hypernetTarget;

    /** name=dir:weight,name=dir:weight (absent = one arm "control"). */
    @ConfigProperty(name = "zhyper.ab.arms")
    Optional<String> arms;

    /** The arm that zhyper.checkpoints events switch: the canary's control (serves the promoted checkpoint). */
    @ConfigProperty(name = "zhyper.ab.follow-arm", defaultValue = "control")
    String followArm;

    /** Name of the arm that serves a CANDIDATE checkpoint (a share of the control arm's traffic). */
    @ConfigProperty(name = "zhyper.canary.candidate-arm", defaultValue = "candidate")
    String candidateArm;

    @ConfigProperty(name = "zhyper.batch.max-size", defaultValue = "16")
    int batchMaxSize;

    @ConfigProperty(name = "zhyper.batch.max-wait-ms", defaultValue = "5")
    long batchMaxWaitMs;

    /** continuous | drain (see Batcher). */
    @ConfigProperty(name = "zhyper.batch.admission", defaultValue = "continuous")
    String batchAdmission;

    /** Most prompt tokens prefilled per decode step. */
    @ConfigProperty(name = "zhyper.batch.prefill-budget", defaultValue = "256")
    int prefillBudget;

    @ConfigProperty(name = "zhyper.generate.max-stop-strings", defaultValue = "8")
    int maxStopStrings;

    @ConfigProperty(name = "zhyper.generate.max-stop-chars", defaultValue = "64")
    int maxStopChars;

    @ConfigProperty(name = "zhyper.generate.max-tokens-limit", defaultValue = "1024")
    int maxTokensLimit;

    @ConfigProperty(name = "zhyper.generate.default-max-tokens", defaultValue = "256")
    int defaultMaxTokens;

    @ConfigProperty(name = "zhyper.generate.max-prompt-chars", defaultValue = "16384")
    int maxPromptChars;

    @ConfigProperty(name = "zhyper.queue.max-pending", defaultValue = "256")
    int maxPending;

    public boolean localHypernet() {
        return hypernetTarget == null || hypernetTarget.isBlank() || "local".equalsIgnoreCase(hypernetTarget.trim());
    }
}
