package dev.zhyper.cli.commands;

import dev.zhyper.cli.common.CliException;
import dev.zhyper.lab.benchmark.BenchmarkException;
import dev.zhyper.lab.benchmark.ReferenceTask;
import dev.zhyper.lab.benchmark.TrainingSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code zhyper convert-tasks}: training data for {@code zhyper train} from tasks in the reference format (the
 * paper's Super-Natural-Instructions training tasks), see {@link TrainingSet}.
 */
@Command(name = "convert-tasks", mixinStandardHelpOptions = true,
        description = {"Turn reference-format tasks (<tasks-dir>/<task>/metadata.yaml + <data-dir>/<task>.jsonl) into",
                "train.jsonl and descriptions.json for 'zhyper train'. Never list an evaluation benchmark here."})
public final class ConvertTasksCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--tasks-dir", required = true, paramLabel = "DIR", description = "Task metadata directory.")
    Path tasksDir;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "One <task>.jsonl per task.")
    Path dataDir;

    @Option(names = "--tasks", split = ",", paramLabel = "NAME",
            description = "Tasks to convert (default: every directory of --tasks-dir with a metadata.yaml).")
    List<String> tasks;

    @Option(names = "--max-per-task", defaultValue = "0",
            description = "At most this many records per task, a seeded random subset; 0 = all (default ${DEFAULT-VALUE}).")
    int maxPerTask;

    @Option(names = "--hold-out-descriptions", defaultValue = "0", paramLabel = "K",
            description = "Keep each task's last K descriptions out of training (default ${DEFAULT-VALUE}).")
    int holdOut;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the subset (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Directory for train.jsonl and descriptions.json.")
    Path out;

    @Override
    public Integer call() {
        if (maxPerTask < 0 || holdOut < 0) {
            throw new CliException("--max-per-task and --hold-out-descriptions must be >= 0");
        }
        List<String> names = tasks == null || tasks.isEmpty() ? allTasks() : tasks;
        TrainingSet set;
        try {
            set = TrainingSet.fromReferenceTasks(tasksDir, dataDir, names, maxPerTask, holdOut, seed);
            set.write(out);
        } catch (BenchmarkException | UncheckedIOException e) {
            throw new CliException(e.getMessage(), e);
        }
        PrintWriter err = spec.commandLine().getErr();
        set.skipped().forEach((task, n) -> {
            if (n > 0) {
                err.printf("%s: %d record(s) skipped (template or answer field does not fit)%n", task, n);
            }
        });
        int descriptions = set.descriptions().values().stream().mapToInt(List::size).sum();
        spec.commandLine().getOut().printf("%s: %,d examples of %d tasks, %,d training descriptions%n", out,
                set.examples().size(), set.descriptions().size(), descriptions);
        return 0;
    }

    private List<String> allTasks() {
        if (!Files.isDirectory(tasksDir)) {
            throw new CliException(tasksDir + ": not a directory");
        }
        try (Stream<Path> s = Files.list(tasksDir)) {
            List<String> found = s.filter(p -> Files.isRegularFile(p.resolve(ReferenceTask.FILE_NAME)))
                    .map(p -> p.getFileName().toString()).sorted().toList();
            if (found.isEmpty()) {
                throw new CliException(tasksDir + ": no <task>/" + ReferenceTask.FILE_NAME + " found");
            }
            return found;
        } catch (IOException e) {
            throw new CliException(tasksDir + ": cannot list: " + e.getMessage(), e);
        }
    }
}
