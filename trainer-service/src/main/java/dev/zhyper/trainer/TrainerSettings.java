package dev.zhyper.trainer;

import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.LayerSelection;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.training.TrainingRun;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The trainer's settings ({@code zhyper.model.dir}, {@code zhyper.checkpoints.root}, {@code zhyper.trainer.*},
 * {@code zhyper.device}, {@code zhyper.dtype}); every key is documented in application.properties. Plain
 * {@code @ConfigProperty} injection (not a {@code @ConfigMapping} on "zhyper"), so other {@code zhyper.*} keys of a
 * shared configuration do not trip unknown-key validation.
 */
@ApplicationScoped
public class TrainerSettings {

    @ConfigProperty(name = "zhyper.model.dir")
    String modelDir;

    @ConfigProperty(name = "zhyper.checkpoints.root", defaultValue = "checkpoints")
    String checkpointsRoot;

    /** Where StartJob's dataset_path / descriptions_path must lie (comma-separated; relative paths: the first). */
    @ConfigProperty(name = "zhyper.trainer.data-roots", defaultValue = "data")
    String dataRoots;

    /** Whether START / CANCEL / RESUME records of zhyper.training.control are obeyed (false: dead-lettered). */
    @ConfigProperty(name = "zhyper.trainer.control-topic.enabled", defaultValue = "true")
    boolean controlTopicEnabled;

    @ConfigProperty(name = "zhyper.trainer.method", defaultValue = "diag")
    String method;

    @ConfigProperty(name = "zhyper.trainer.rank", defaultValue = "8")
    int rank;

    @ConfigProperty(name = "zhyper.trainer.targets", defaultValue = "q_proj,v_proj")
    String targets;

    @ConfigProperty(name = "zhyper.trainer.layers", defaultValue = "all")
    String layers;

    @ConfigProperty(name = "zhyper.trainer.batch", defaultValue = "8")
    int batch;

    @ConfigProperty(name = "zhyper.trainer.lr", defaultValue = "2.5e-5")
    double lr;

    @ConfigProperty(name = "zhyper.trainer.seed", defaultValue = "42")
    long seed;

    @ConfigProperty(name = "zhyper.trainer.steps", defaultValue = "1000")
    int steps;

    @ConfigProperty(name = "zhyper.trainer.max-length", defaultValue = "512")
    int maxLength;

    @ConfigProperty(name = "zhyper.trainer.conditioning", defaultValue = "minilm")
    String conditioning;

    @ConfigProperty(name = "zhyper.trainer.lr-shared-ratio", defaultValue = "8")
    double lrSharedRatio;

    @ConfigProperty(name = "zhyper.trainer.factor-l2", defaultValue = "1e-3")
    double factorL2;

    @ConfigProperty(name = "zhyper.trainer.hyper-centre", defaultValue = "true")
    boolean hyperCentre;

    @ConfigProperty(name = "zhyper.trainer.hyper-hidden", defaultValue = "512")
    int hyperHidden;

    @ConfigProperty(name = "zhyper.trainer.hyper-task-dim", defaultValue = "64")
    int hyperTaskDim;

    @ConfigProperty(name = "zhyper.trainer.hyper-out", defaultValue = "512")
    int hyperOut;

    @ConfigProperty(name = "zhyper.trainer.hyper-blocks", defaultValue = "2")
    int hyperBlocks;

    @ConfigProperty(name = "zhyper.trainer.progress-every", defaultValue = "10")
    int progressEvery;

    @ConfigProperty(name = "zhyper.trainer.stream.enabled", defaultValue = "true")
    boolean streamEnabled;

    @ConfigProperty(name = "zhyper.trainer.stream.min-examples", defaultValue = "64")
    int streamMinExamples;

    @ConfigProperty(name = "zhyper.trainer.stream.steps-per-round", defaultValue = "50")
    int streamStepsPerRound;

    @ConfigProperty(name = "zhyper.trainer.stream.max-wait-ms", defaultValue = "300000")
    long streamMaxWaitMs;

    @ConfigProperty(name = "zhyper.trainer.stream.max-examples", defaultValue = "100000")
    int streamMaxExamples;

    @ConfigProperty(name = "zhyper.trainer.stream.retry-backoff-ms", defaultValue = "10000")
    long streamRetryBackoffMs;

    @ConfigProperty(name = "zhyper.trainer.stream.group-id", defaultValue = "zhyper-trainer")
    String streamGroupId;

    @ConfigProperty(name = "zhyper.trainer.stream.warmup-steps", defaultValue = "10")
    int streamWarmupSteps;

    @ConfigProperty(name = "zhyper.trainer.initial-checkpoint")
    java.util.Optional<String> initialCheckpoint;

    @ConfigProperty(name = "zhyper.trainer.retention.keep-last", defaultValue = "10")
    int retentionKeepLast;

    @ConfigProperty(name = "zhyper.trainer.job-checkpoint-every", defaultValue = "100")
    int jobCheckpointEvery;

    @ConfigProperty(name = "zhyper.device", defaultValue = "cpu")
    String device;

    @ConfigProperty(name = "zhyper.dtype", defaultValue = "fp32")
    String dtype;

    public Path modelDir() {
        return Path.of(modelDir).toAbsolutePath().normalize();
    }

    public Path checkpointsRoot() {
        return Path.of(checkpointsRoot).toAbsolutePath().normalize();
    }

    public String method() { return method; }
    public int rank() { return rank; }
    public String targets() { return targets; }
    public String layers() { return layers; }
    public int batch() { return batch; }
    public double lr() { return lr; }
    public long seed() { return seed; }
    public int steps() { return steps; }
    public int maxLength() { return maxLength; }
    public int progressEvery() { return Math.max(1, progressEvery); }
    public boolean streamEnabled() { return streamEnabled; }
    public int streamMinExamples() { return Math.max(1, streamMinExamples); }
    public int streamStepsPerRound() { return Math.max(1, streamStepsPerRound); }
    public long streamMaxWaitMs() { return streamMaxWaitMs; }
    public String streamGroupId() { return streamGroupId; }
    public int streamMaxExamples() { return Math.max(1, streamMaxExamples); }
    public long streamRetryBackoffMs() { return Math.max(0, streamRetryBackoffMs); }
    public int streamWarmupSteps() { return Math.max(0, streamWarmupSteps); }
    public int retentionKeepLast() { return Math.max(0, retentionKeepLast); }
    public int jobCheckpointEvery() { return Math.max(0, jobCheckpointEvery); }

    /** The recipe ({@code zhyper.trainer.lr-shared-ratio}, {@code .factor-l2}). */
    public dev.zhyper.training.Recipe recipe() {
        return dev.zhyper.training.Recipe.DEFAULT.withSharedLrRatio(lrSharedRatio).withFactorL2(factorL2);
    }

    /** The trunk of a checkpoint trained from scratch ({@code zhyper.trainer.hyper-*}); d_c is the embedder's. */
    public dev.zhyper.core.hyper.HyperSpec hyper() {
        if (hyperHidden <= 0 || hyperTaskDim <= 0 || hyperOut <= 0 || hyperBlocks < 0) {
            throw new IllegalArgumentException("zhyper.trainer.hyper-hidden, -task-dim, -out must be positive and "
                    + "hyper-blocks >= 0");
        }
        return dev.zhyper.core.hyper.HyperSpec.defaults(1).withWidths(hyperTaskDim, hyperHidden, hyperOut, hyperBlocks)
                .withCentred(hyperCentre);
    }

    /** The checkpoint a trainer without one of its own (and nothing promoted) continues from, if configured. */
    public java.util.Optional<Path> initialCheckpoint() {
        return initialCheckpoint.filter(s -> !s.isBlank()).map(s -> Path.of(s).toAbsolutePath().normalize());
    }

    /** The conditioning encoder ("minilm" or "one-hot"). */
    public TrainingRun.Conditioning conditioning() {
        return parseConditioning(conditioning);
    }

    public static TrainingRun.Conditioning parseConditioning(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "minilm" -> TrainingRun.Conditioning.MINILM;
            case "one-hot", "onehot", "one_hot" -> TrainingRun.Conditioning.ONE_HOT;
            default -> throw new IllegalArgumentException("conditioning must be minilm or one-hot, got '" + s + "'");
        };
    }

    public ModelOptions modelOptions() {
        return new ModelOptions(ModelOptions.parseDevice(device), ModelOptions.parseDtype(dtype));
    }

    /** The adapter spec of method/rank/targets/layers (each blank/0 = the configured default). */
    public AdapterSpec spec(String method, int rank, String targets, String layers) {
        String m = method == null || method.isBlank() ? this.method : method;
        int r = rank == 0 ? this.rank : rank;
        String t = targets == null || targets.isBlank() ? this.targets : targets;
        String l = layers == null || layers.isBlank() ? this.layers : layers;
        List<TargetModule> ts = Arrays.stream(t.split(",")).map(String::trim).filter(x -> !x.isEmpty())
                .map(TargetModule::parse).toList();
        return AdapterSpec.of(r, AdapterMethod.parse(m)).withTargets(ts).withLayers(LayerSelection.parse(l));
    }

    /** Checks every setting once at startup (a bad value fails fast rather than at the first round). */
    public void validate() {
        spec(null, 0, null, null);
        conditioning();
        recipe();
        hyper();
        modelOptions();
        if (batch <= 0 || lr <= 0 || steps <= 0 || maxLength < 4) {
            throw new IllegalArgumentException("zhyper.trainer.batch, .lr, .steps must be positive and .max-length >= 4");
        }
        initialCheckpoint().ifPresent(p -> {
            if (!java.nio.file.Files.isRegularFile(p.resolve("manifest.json"))) {
                throw new IllegalArgumentException("zhyper.trainer.initial-checkpoint " + p
                        + " is not a checkpoint directory (no manifest.json)");
            }
        });
    }

    /** The confinement of request file paths ({@code zhyper.trainer.data-roots}). */
    public dev.zhyper.service.common.ConfinedRoots dataRoots() {
        return dev.zhyper.service.common.ConfinedRoots.parse("zhyper.trainer.data-roots", dataRoots);
    }

    public boolean controlTopicEnabled() {
        return controlTopicEnabled;
    }
}
