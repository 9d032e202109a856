package dev.zhyper.lab.experiments;

import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ZParametrisation;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.training.TrainOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The grid of the comparison: methods × ranks × seeds, with shared training and evaluation settings.
 *
 * @param training    shared training settings (steps, batch, lr, regularisation); each run sets its seed and
 *                    conditioning
 * @param evalPerTask test inputs per task (each paired with one held-out description, cycling)
 * @param evalBatch   generation batch size (contexts mix freely within a batch)
 * @param targets     adapted projections of every method (the paper: q_proj, v_proj)
 * @param zParam      z parametrisation of the rows it applies to (zhyper-diag, -square, -ohe, -vera; zero-z not
 *                    with LoRA-XS, whose factors are frozen)
 * @param embedder    description encoder of the description-conditioned rows (TrainingRun.Config#embedder)
 * @param hyper       the hypernetwork's widths (embedDim set per run by its embedder)
 */
public record ExperimentPlan(Path modelDir, Path suiteDir, Path out, List<ExperimentMethod> methods,
                             List<Integer> ranks, List<Long> seeds, TrainOptions training, int evalPerTask, int evalBatch, List<TargetModule> targets,
                             ModelOptions modelOptions, ZParametrisation zParam, String embedder, HyperSpec hyper) {

    public ExperimentPlan(Path modelDir, Path suiteDir, Path out, List<ExperimentMethod> methods, List<Integer> ranks,
                          List<Long> seeds, TrainOptions training, int evalPerTask, int evalBatch,
                          List<TargetModule> targets, ModelOptions modelOptions) {
        this(modelDir, suiteDir, out, methods, ranks, seeds, training, evalPerTask, evalBatch, targets, modelOptions,
                ZParametrisation.HEAD, "minilm", HyperSpec.defaults(1));
    }

    public ExperimentPlan {
        if (zParam == null) {
            zParam = ZParametrisation.HEAD;
        }
        if (embedder == null) {
            embedder = "minilm";
        }
        if (hyper == null) {
            hyper = HyperSpec.defaults(1);
        }
        if (methods.isEmpty() || ranks.isEmpty() || seeds.isEmpty() || targets.isEmpty()) {
            throw new IllegalArgumentException("methods, ranks, seeds and targets must not be empty");
        }
        if (evalPerTask <= 0 || evalBatch <= 0) {
            throw new IllegalArgumentException("eval inputs and eval batch must be positive");
        }
        methods = List.copyOf(methods);
        ranks = List.copyOf(ranks);
        seeds = List.copyOf(seeds);
        targets = List.copyOf(targets);
    }

    /** The adapter spec of a method at a rank, with this plan's targets and (where it applies) z parametrisation. */
    public AdapterSpec spec(ExperimentMethod m, int rank) {
        return m.spec(rank).withTargets(targets).withZParamWhereItApplies(zParam);
    }

    public int steps() { return training.steps(); }

    public int batch() { return training.batchSize(); }

    public double lr() { return training.lr(); }

    /** One cell of the grid. */
    public record Cell(ExperimentMethod method, int rank, long seed) {
        public String id() { return method.runId(rank, seed); }
    }

    /**
     * Every run, seed-major (all methods and ranks of the first seed come first, so a grid stopped early still
     * has a complete first seed); the base model appears once.
     */
    public List<Cell> cells() {
        List<Cell> out = new ArrayList<>();
        if (methods.stream().anyMatch(m -> !m.trains())) {
            out.add(new Cell(ExperimentMethod.BASE, 0, 0));
        }
        for (long seed : seeds) {
            for (int rank : ranks) {
                for (ExperimentMethod m : methods) {
                    if (m.trains()) {
                        out.add(new Cell(m, rank, seed));
                    }
                }
            }
        }
        return out;
    }

    /** Checkpoint every quarter of the run (resume granularity). */
    public int checkpointEvery() { return Math.max(1, steps() / 4); }

    public Path runDir(Cell c) { return out.resolve("runs").resolve(c.id()); }

    public int maxRank() { return ranks.stream().mapToInt(Integer::intValue).max().orElseThrow(); }
}
