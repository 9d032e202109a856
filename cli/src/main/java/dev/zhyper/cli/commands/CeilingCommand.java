package dev.zhyper.cli.commands;

import dev.zhyper.cli.common.CliException;
import dev.zhyper.cli.common.RuntimeOptions;
import dev.zhyper.lab.experiments.BaseCeiling;
import dev.zhyper.lab.experiments.SuiteData;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.text.TextTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code zhyper ceiling}: can the base model finish an answer once its first characters say which task it is? */
@Command(name = "ceiling", mixinStandardHelpOptions = true,
        description = {"Exact match of the base model alone when given the first K characters of each expected answer",
                "(unseen test inputs of the suite): what the base already knows, so what steering alone can reach."})
public final class CeilingCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--model", defaultValue = "models/zhyper-tiny", paramLabel = "DIR",
            description = "Base model (default ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = "--suite", defaultValue = "data/suite", paramLabel = "DIR",
            description = "Task suite (default ${DEFAULT-VALUE}).")
    Path suite;

    @Option(names = "--prefix", defaultValue = "0,1,2", split = ",", paramLabel = "K",
            description = "Answer characters given (default ${DEFAULT-VALUE}).")
    List<Integer> prefixes;

    @Option(names = "--demos", defaultValue = "0", paramLabel = "N",
            description = {"Solved examples of the same task written before each prompt (default ${DEFAULT-VALUE}):",
                    "the task is known from context, as in the documents `pretrain --pairs-per-line` makes."})
    int demos;

    @Option(names = "--per-task", defaultValue = "20", description = "Test inputs per task (default ${DEFAULT-VALUE}).")
    int perTask;

    @Option(names = "--batch", defaultValue = "64", description = "Generation batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--by-task", description = "Also print every task's rate.")
    boolean byTask;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(model.resolve("config.json"))) {
            throw new CliException(model + ": not a model directory (no config.json)");
        }
        if (perTask < 1 || batch < 1 || demos < 0 || prefixes.stream().anyMatch(k -> k < 0)) {
            throw new CliException("--per-task and --batch must be positive, --prefix and --demos non-negative");
        }
        SuiteData data;
        try {
            data = SuiteData.load(suite);
        } catch (RuntimeException e) {
            throw new CliException(suite + ": " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("| answer chars given | seen tasks | held-out tasks |");
        out.println("|---|---|---|");
        try (DecoderModel base = DecoderModel.load(model, runtime.modelOptions());
             TextTokenizer tok = TextTokenizer.load(model)) {
            for (int k : prefixes) {
                BaseCeiling.Result r = BaseCeiling.measure(base, tok, data, k, demos, perTask, batch);
                out.printf(Locale.ROOT, "| %d | %.1f | %.1f |%n", k, 100 * r.accuracy(data.seenTasks()),
                        100 * r.accuracy(data.heldOutTasks()));
                if (byTask) {
                    r.perTask().forEach((t, c) -> out.printf(Locale.ROOT, "|   %s | %d/%d | |%n", t, c[0], c[1]));
                }
                out.flush();
            }
        }
        return 0;
    }
}
