package dev.zhyper.trainer;

import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.data.TrainingExample;
import dev.zhyper.training.LearningRate;
import dev.zhyper.training.TrainOptions;
import dev.zhyper.training.Trainer;
import dev.zhyper.training.TrainingRun;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointInfo;
import dev.zhyper.proto.v1.TrainingProgressEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Runs one training — a job or a streaming round — in a hidden work directory, publishes progress events, and turns
 * the result into a checkpoint: {@code <root>/<name>} by one atomic rename, then gated and announced by the
 * {@link CheckpointAnnouncer}. Called on the training thread only.
 */
final class TrainingRunner {

    /** Thrown by the progress callback of a cancelled job (after its current step). */
    static final class CancelledException extends RuntimeException {
        CancelledException(String jobId) {
            super("job " + jobId + " was cancelled");
        }
    }

    /**
     * One training to run.
     *
     * @param jobId    the job ("stream" for a round): key of the progress events, lineage of the checkpoint
     * @param name     the checkpoint's directory name under the root
     * @param work     where to train (seeded with a copy of the parent, to continue it, or a job's partial checkpoint)
     * @param lr       the learning-rate curve (null: the options' own schedule)
     * @param parentId the checkpoint continued ("" for none)
     * @param stream   a streaming round (no partial checkpoints; nothing left behind on failure) rather than a job
     */
    record Run(String jobId, String name, Path work, AdapterSpec spec, TrainOptions options, LearningRate lr,
               TrainingRun.Conditioning conditioning, List<TrainingExample> examples,
               Map<String, List<String>> descriptions, String parentId, boolean stream) {}

    private final TrainerSettings settings;
    private final CheckpointStore store;
    private final EventPublisher events;
    private final CheckpointAnnouncer announcer;
    private final Counter steps;

    TrainingRunner(TrainerSettings settings, CheckpointStore store, EventPublisher events, CheckpointAnnouncer announcer,
                   MeterRegistry registry) {
        this.settings = settings;
        this.store = store;
        this.events = events;
        this.announcer = announcer;
        steps = Counter.builder("zhyper.trainer.steps").description("optimiser steps completed (jobs and streaming)")
                .register(registry);
    }

    /** The service's training options: {@code zhyper.trainer.*} around the given steps, batch, lr and seed. */
    TrainOptions options(int steps, int batch, double lr, long seed) {
        TrainOptions d = TrainOptions.defaults(steps);
        return new TrainOptions(steps, batch, lr, d.warmupFraction(), d.weightDecay(), d.gradClip(),
                d.labelSmoothing(), d.neftuneAlpha(), seed, settings.maxLength(), false,
                settings.conditioning() == TrainingRun.Conditioning.ONE_HOT, settings.recipe());
    }

    /**
     * Trains {@code run}, renames the result to {@code <root>/<name>}, gates and announces it, applies retention and
     * returns it. {@code cancelled} is asked after every step ({@link CancelledException} when it says yes).
     */
    CheckpointInfo train(Run run, BooleanSupplier cancelled, Consumer<Trainer.StepResult> onStep) {
        Progress progress = new Progress(run.jobId(), run.options().steps());
        boolean published = false;
        try {
            TrainingRun.run(new TrainingRun.Config(settings.modelDir(), run.spec(), run.options(), run.conditioning(),
                    run.work(), run.stream() ? 0 : settings.jobCheckpointEvery(), settings.modelOptions(), run.lr(),
                    null, settings.hyper()),
                    run.examples(), run.descriptions(), r -> {
                        if (cancelled.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                            throw new CancelledException(run.jobId());
                        }
                        steps.increment();
                        onStep.accept(r);
                        progress.step(r);
                    });
            store.writeLineage(run.work(), new CheckpointStore.Lineage(run.parentId(), run.jobId(), run.examples().size()));
            Path dir = store.publish(run.work(), run.name());
            published = true;
            if (run.stream()) FaultPoints.reach("after-rename");
            CheckpointInfo info = announcer.announceNew(dir);
            if (run.stream()) FaultPoints.reach("after-event");
            return info;
        } finally {
            // gone after a successful rename; a failed or cancelled round leaves nothing (a job keeps its partial)
            if (run.stream() || published) store.discard(run.work());
        }
    }

    /** Publishes TrainingProgressEvents every {@code progress-every} steps and at the last step. */
    private final class Progress {
        final String jobId;
        final long total;
        final long t0 = System.nanoTime();
        long tokens;
        long stepsHere;

        Progress(String jobId, long total) {
            this.jobId = jobId;
            this.total = total;
        }

        void step(Trainer.StepResult r) {
            tokens += r.tokens();
            stepsHere++;
            long done = r.step() + 1;
            if (done % settings.progressEvery() != 0 && done != total) return;
            double secs = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
            events.publishProgress(TrainingProgressEvent.newBuilder()
                    .setSchemaVersion(Topics.SCHEMA_VERSION)
                    .setJobId(jobId)
                    .setStep(done)
                    .setTotalSteps(total)
                    .setLoss(r.loss())
                    .setLr(r.lr())
                    .setTokensPerSecond(tokens / secs)
                    .setEtaSeconds(Math.max(0, total - done) * secs / stepsHere)
                    .build());
        }
    }
}
