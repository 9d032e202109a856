package dev.zhyper.cli.commands;

import dev.zhyper.cli.common.CliException;
import dev.zhyper.cli.common.RuntimeOptions;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.LayerSelection;
import dev.zhyper.core.adapter.LoraVariant;
import dev.zhyper.core.data.Datasets;
import dev.zhyper.core.data.TrainingExample;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.training.TrainOptions;
import dev.zhyper.training.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code zhyper train}: trains A, B and the hypernetwork on a JSONL dataset and writes a checkpoint. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a Zhyper adapter (A, B and the hypernetwork) on a frozen base model.",
                "Data lines: {\"task\":...,\"prompt\":...,\"response\":...}; descriptions: {task: [descriptions...]}.",
                "Re-running with the same --out resumes exactly from the last checkpoint."})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RuntimeOptions runtime;

    @Mixin
    RecipeOptions recipe;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "HF model directory.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "Training examples.")
    Path data;

    @Option(names = "--descriptions", required = true, paramLabel = "FILE.json", description = "Task → descriptions.")
    Path descriptions;

    @Option(names = "--out", required = true, paramLabel = "CKPT", description = "Checkpoint directory to write.")
    Path out;

    @Option(names = "--rank", defaultValue = "8", description = "LoRA rank r (default ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--z", defaultValue = "diag", paramLabel = "METHOD",
            description = "diag, square, t2l or mtl (default ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--variant", defaultValue = "lora",
            description = "lora, vera or lora-xs: how A and B are obtained (default ${DEFAULT-VALUE}).")
    String variant;

    @Option(names = "--targets", defaultValue = "q_proj,v_proj", split = ",",
            description = "Adapted projections (default ${DEFAULT-VALUE}; or all).")
    List<String> targets;

    @Option(names = "--layers", defaultValue = "all", description = "all, a:b or a:b:step (default ${DEFAULT-VALUE}).")
    String layers;

    @Option(names = "--steps", defaultValue = "100", description = "Optimizer updates (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", defaultValue = "8", description = "Batch size: distinct tasks per batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "2.5e-5", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", defaultValue = "42", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-length", defaultValue = "512", description = "Max tokens per example (default ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--conditioning", defaultValue = "minilm",
            description = "minilm (descriptions, encoded by --embedder) or one-hot (task ids, Zhyper-OHE) "
                    + "(default ${DEFAULT-VALUE}).")
    String conditioning;

    @Option(names = "--description-in-prompt", description = "Also put the description in the prompt (prepend baseline).")
    boolean descriptionInPrompt;

    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Save every N steps (0: only at the end).")
    int checkpointEvery;

    @Override
    public Integer call() {
        AdapterSpec adapterSpec;
        TrainOptions options;
        TrainingRun.Conditioning cond;
        String embedder;
        dev.zhyper.core.hyper.HyperSpec hyper;
        try {
            adapterSpec = AdapterSpec.of(rank, AdapterMethod.parse(method))
                    .withTargets(TargetModule.parseList(targets))
                    .withLayers(LayerSelection.parse(layers))
                    .withVariant(LoraVariant.parse(variant));
            adapterSpec = recipe.zParamGiven() ? adapterSpec.withZParam(recipe.zParametrisation())
                    : adapterSpec.withZParamWhereItApplies(recipe.zParametrisation());
            options = TrainOptions.defaults(steps).withBatch(batch).withLr(lr).withSeed(seed)
                    .withRegularisation(recipe.labelSmoothing(), recipe.neftune(), recipe.weightDecay())
                    .withConditioning(descriptionInPrompt, conditioning.equals("one-hot"));
            options = options.withMaxLength(maxLength).withRecipe(recipe.recipe());
            embedder = recipe.embedder();
            hyper = recipe.hyper(dev.zhyper.core.hyper.HyperSpec.defaults(1));
            cond = switch (conditioning) {
                case "minilm" -> TrainingRun.Conditioning.MINILM;
                case "one-hot" -> TrainingRun.Conditioning.ONE_HOT;
                default -> throw new IllegalArgumentException("--conditioning must be minilm or one-hot");
            };
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        List<TrainingExample> examples = Datasets.readExamples(data);
        Map<String, List<String>> desc = Datasets.readDescriptions(descriptions);
        PrintWriter err = spec.commandLine().getErr();
        err.printf("training %s r=%d on %d examples of %d tasks, %d steps%n", adapterSpec.method().id(), rank,
                examples.size(), desc.size(), steps);
        TrainingRun.Result r = TrainingRun.run(new TrainingRun.Config(model, adapterSpec, options, cond, out,
                checkpointEvery, runtime.modelOptions(), embedder, hyper), examples, desc, s -> {
                    if (s.step() % Math.max(1, steps / 50) == 0 || s.step() + 1 == steps) {
                        err.printf("step %d/%d  loss %.4f  lr %.2e  |g| %.3f  %d ms%n", s.step() + 1, steps, s.loss(),
                                s.lr(), s.gradNorm(), s.millis());
                        err.flush();
                    }
                });
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s step=%d loss=%.4f%n", r.checkpoint(), r.steps(), r.finalLoss());
        out.flush();
        return 0;
    }
}
