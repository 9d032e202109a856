package dev.zhyper.cli.commands;

import dev.zhyper.cli.common.CliException;
import dev.zhyper.cli.common.RuntimeOptions;
import dev.zhyper.lab.experiments.ConsoleProgress;
import dev.zhyper.lab.experiments.ExperimentMethod;
import dev.zhyper.lab.experiments.ExperimentPlan;
import dev.zhyper.lab.experiments.ExperimentRunner;
import dev.zhyper.lab.experiments.Report;
import dev.zhyper.lab.experiments.RunResult;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.training.TrainOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code zhyper experiments}: the paper's comparison (Tables 1–2) at this scale. Trains and evaluates every
 * method × rank × seed, resumably, then writes the table, CSV, plots and analysis.
 */
@Command(name = "experiments", mixinStandardHelpOptions = true,
        description = {"Run the paper's comparison on the task suite: base, prepend, mtl, t2l, zhyper-diag, "
                + "zhyper-square, zhyper-ohe, zhyper-vera, zhyper-lora-xs and the layer ablation zhyper-diag@every2.",
                "Resumable: finished runs (out/runs/<id>/result.json) are skipped, interrupted trainings resume from "
                        + "their last checkpoint. Writes table.md, table.csv, analysis.md, loss.svg, pareto.svg and "
                        + "z-pca.svg to --out and copies them to --docs."})
public final class ExperimentsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RuntimeOptions runtime;

    @Mixin
    RecipeOptions recipe;

    @Option(names = "--model", defaultValue = "models/zhyper-tiny", paramLabel = "DIR",
            description = "Base model directory (default ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = "--suite", defaultValue = "data/suite", paramLabel = "DIR",
            description = "Task suite directory (default ${DEFAULT-VALUE}).")
    Path suite;

    @Option(names = "--out", defaultValue = "runs/paper", paramLabel = "DIR",
            description = "Where runs and the report go (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--docs", defaultValue = "docs/results", paramLabel = "DIR",
            description = "The report is also copied here (default ${DEFAULT-VALUE}); 'none' to skip.")
    String docs;

    @Option(names = "--methods", split = ",", paramLabel = "M",
            description = "Subset of methods (default: all).")
    List<String> methods;

    @Option(names = "--ranks", defaultValue = "4,8", split = ",", description = "Ranks (default ${DEFAULT-VALUE}).")
    List<Integer> ranks;

    @Option(names = "--seeds", defaultValue = "1,2,3", split = ",", description = "Seeds (default ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--steps", defaultValue = "1200",
            description = "Optimizer steps per run (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", defaultValue = "32", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "3e-3", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--eval-per-task", defaultValue = "5", paramLabel = "K",
            description = "Test inputs per task (default ${DEFAULT-VALUE}).")
    int evalPerTask;

    @Option(names = "--eval-batch", defaultValue = "64", description = "Generation batch (default ${DEFAULT-VALUE}).")
    int evalBatch;

    @Option(names = "--targets", defaultValue = "q_proj,v_proj", split = ",", paramLabel = "MODULE",
            description = "Adapted projections of every method (default ${DEFAULT-VALUE}; any of q_proj, k_proj, "
                    + "v_proj, o_proj, gate_proj, up_proj, down_proj, or all).")
    List<String> targetNames;

    @Option(names = "--quick", description = "Tiny grid for smoke tests: mtl and zhyper-diag (unless --methods), "
            + "rank 2, seed 1, 20 steps of batch 8, 2 inputs per task.")
    boolean quick;

    @Option(names = "--report-only", description = "Only rebuild the report from the finished runs.")
    boolean reportOnly;

    @Override
    public Integer call() {
        ExperimentPlan plan;
        try {
            List<TargetModule> targets = TargetModule.parseList(targetNames);
            List<ExperimentMethod> ms = methods == null || methods.isEmpty()
                    ? (quick ? List.of(ExperimentMethod.byName("mtl"), ExperimentMethod.byName("zhyper-diag"))
                    : ExperimentMethod.ALL)
                    : methods.stream().map(ExperimentMethod::byName).distinct().toList();
            // keep table order
            ms = ExperimentMethod.ALL.stream().filter(ms::contains).toList();
            TrainOptions training = TrainOptions.defaults(quick ? 20 : steps).withBatch(quick ? 8 : batch).withLr(lr)
                    .withRegularisation(recipe.labelSmoothing(), recipe.neftune(), recipe.weightDecay())
                    .withRecipe(recipe.recipe());
            plan = quick
                    ? new ExperimentPlan(model, suite, out, ms, List.of(2), List.of(1L), training, 2, evalBatch,
                    targets, runtime.modelOptions(), recipe.zParametrisation(), recipe.embedder(), recipe.hyper(RecipeOptions.TINY_TRUNK))
                    : new ExperimentPlan(model, suite, out, ms, ranks, seeds, training, evalPerTask, evalBatch,
                    targets, runtime.modelOptions(), recipe.zParametrisation(), recipe.embedder(), recipe.hyper(RecipeOptions.TINY_TRUNK));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        if (!Files.isRegularFile(model.resolve("config.json"))) {
            throw new CliException("no model at " + model + " (config.json missing); pass --model DIR");
        }
        if (!Files.isRegularFile(suite.resolve("tasks.json"))) {
            throw new CliException("no task suite at " + suite + " (tasks.json missing); pass --suite DIR");
        }
        PrintWriter err = spec.commandLine().getErr();
        ExperimentRunner runner = new ExperimentRunner(plan);
        List<RunResult> results;
        if (reportOnly) {
            results = plan.cells().stream().map(plan::runDir).filter(RunResult::exists).map(RunResult::read).toList();
        } else {
            err.printf("experiments: %d runs (%d methods, ranks %s, seeds %s, %d steps, lr %s) into %s%n",
                    plan.cells().size(), plan.methods().size(), plan.ranks(), plan.seeds(), plan.steps(), plan.lr(),
                    plan.out());
            err.flush();
            results = runner.run(new ConsoleProgress(err, System.console() != null, plan));
        }
        Report report = new Report(plan, runner, results);
        report.write(plan.out());
        if (!docs.equals("none")) {
            Report.copy(plan.out(), Path.of(docs));
        }
        PrintWriter o = spec.commandLine().getOut();
        o.print(report.tableMd());
        o.flush();
        return 0;
    }
}
