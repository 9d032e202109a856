package dev.zhyper.trainer;

import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.training.IncompatibleCheckpointException;
import dev.zhyper.training.LearningRate;
import dev.zhyper.training.TrainOptions;
import dev.zhyper.training.TrainingRun;
import dev.zhyper.training.WarmupConstant;
import dev.zhyper.proto.v1.CheckpointInfo;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One streaming round: {@code steps-per-round} more steps on a snapshot of the example log, continuing from the
 * round's parent ({@link RoundParents}), with ONE learning-rate curve for the whole stream (warm-up from the step
 * streaming started at, then constant). A parent of another adapter spec ({@link IncompatibleCheckpointException})
 * is not continued: the round trains from scratch. Runs on the training thread.
 */
final class StreamRounds {

    private static final Logger LOG = Logger.getLogger(StreamRounds.class);

    private final TrainerSettings settings;
    private final CheckpointStore store;
    private final TrainerState state;
    private final RoundParents parents;
    private final TrainingRunner runner;

    StreamRounds(TrainerSettings settings, CheckpointStore store, TrainerState state, RoundParents parents,
                 TrainingRunner runner) {
        this.settings = settings;
        this.store = store;
        this.state = state;
        this.parents = parents;
        this.runner = runner;
    }

    /** Trains a round on {@code data}; returns its checkpoint after it is written, gated and announced. */
    CheckpointInfo round(ExampleLog.Snapshot data) {
        AdapterSpec spec = settings.spec(null, 0, null, null);
        TrainingRun.Conditioning cond = settings.conditioning();
        List<String> labels = new ArrayList<>(new TreeSet<>(data.descriptions().keySet()));
        Optional<TrainingService.Parent> from = parents.parent(cond, labels);
        try {
            return round(spec, cond, data, from);
        } catch (IncompatibleCheckpointException e) {
            if (from.isEmpty()) throw e;
            LOG.warnf("%s has another adapter spec than zhyper.trainer.*: training from scratch (%s)",
                    from.get().dir(), e.getMessage());
            return round(spec, cond, data, Optional.empty());
        }
    }

    private CheckpointInfo round(AdapterSpec spec, TrainingRun.Conditioning cond, ExampleLog.Snapshot data,
                                 Optional<TrainingService.Parent> from) {
        long done = from.map(TrainingService.Parent::step).orElse(0L);
        long total = done + settings.streamStepsPerRound();
        if (total > Integer.MAX_VALUE) throw new IllegalStateException("streaming step count overflow");
        long origin = state.streamOrigin().orElse(-1);
        if (origin < 0 || origin > done) { // the first round, or the stream restarted from scratch
            origin = done;
            state.streamOrigin(origin);
        }
        LearningRate lr = new WarmupConstant(settings.lr(), origin, settings.streamWarmupSteps());
        TrainOptions o = runner.options((int) total, settings.batch(), settings.lr(), settings.seed() + done);
        LOG.infof("streaming round: %d examples of %d tasks, steps %d..%d, lr %.3g%s", data.examples().size(),
                data.descriptions().size(), done, total, lr.at(done), from.map(p -> " (continuing " + p.dir().getFileName()
                        + ")").orElse(" (from scratch)"));
        String name = CheckpointStore.STREAM_PREFIX + System.currentTimeMillis() + "-step" + total;
        Path work = store.workDir(name);
        from.ifPresent(p -> store.copyInto(p.dir(), work));
        int[] stepsHere = {0};
        return runner.train(new TrainingRunner.Run(TrainingService.STREAM_JOB_ID, name, work, spec, o, lr, cond,
                        data.examples(), data.descriptions(), from.map(TrainingService.Parent::id).orElse(""), true),
                () -> false, r -> {
                    if (++stepsHere[0] == 2) FaultPoints.reach("training");
                });
    }
}
