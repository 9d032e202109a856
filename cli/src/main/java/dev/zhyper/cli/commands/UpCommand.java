package dev.zhyper.cli.commands;

import dev.zhyper.cli.common.CliException;
import dev.zhyper.cli.stack.LocalStack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code zhyper up}: builds the services when needed, starts a Kafka broker and the four services as background
 * processes, waits until they are ready, writes {@code <home>/stack.json} and returns.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start the embedded stack in the background: a Kafka broker (KRaft) and embedder-, hypernet-,",
                "generator- and trainer-service (embedded Infinispan) on ports 8081-8084; builds the services'",
                "quarkus-run.jar first when missing or stale. Logs: <home>/logs/. Stop with `zhyper down`.",
                "The trainer continues from --checkpoint and gates every new checkpoint on data/suite/validation.jsonl."})
public final class UpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Base model directory (default: models/zhyper-tiny).")
    Path model;

    @Option(names = "--checkpoint", paramLabel = "CKPT",
            description = "Adapter checkpoint served from the start by hypernet and generator, and continued (and"
                    + " gated against) by the trainer's streaming rounds (optional).")
    Path checkpoint;

    @Option(names = "--home", paramLabel = "DIR",
            description = "State, logs, Kafka data and checkpoints (default: <repository>/.zhyper/stack).")
    Path home;

    @Option(names = "--kafka-port", defaultValue = "9092") int kafkaPort;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path root = LocalStack.repoRoot();
        LocalStack.Config cfg = new LocalStack.Config();
        cfg.home = resolveHome(root, home);
        cfg.modelDir = resolveModel(root, model);
        if (checkpoint != null) {
            if (!Files.isRegularFile(checkpoint.resolve("manifest.json"))) {
                throw new CliException("not a checkpoint directory (no manifest.json): " + checkpoint);
            }
            cfg.checkpointDir = checkpoint.toAbsolutePath();
        }
        cfg.kafkaPort = kafkaPort;
        if (!LocalStack.suiteGate(cfg, root.resolve("data/suite"))) {
            err.println("data/suite/validation.jsonl not found: the trainer runs WITHOUT an evaluation gate"
                    + " (its checkpoints are announced UNGATED and never served automatically)");
        }
        LocalStack.ensureBuilt(root, err);
        LocalStack stack = LocalStack.start(root, cfg, err);
        out.println("zhyper stack is up (home " + cfg.home + ", model " + cfg.modelDir + "):");
        stack.printEndpoints(out);
        out.println("stop it with: ./zhyper down" + (home == null ? "" : " --home " + home));
        out.flush();
        return 0;
    }

    /** {@code --home}, or {@code <root>/.zhyper/stack}. */
    static Path resolveHome(Path root, Path home) {
        return (home != null ? home : root.resolve(".zhyper/stack")).toAbsolutePath().normalize();
    }

    /** {@code --model}, or {@code models/zhyper-tiny} (relative to the working directory, else the repository). */
    static Path resolveModel(Path root, Path model) {
        Path m = model != null ? model : Path.of("models/zhyper-tiny");
        if (!m.isAbsolute() && !Files.exists(m) && model == null) m = root.resolve(m);
        if (!Files.isRegularFile(m.resolve("config.json"))) {
            throw new CliException("no model at " + m + " (config.json missing); give --model DIR "
                    + "(e.g. one made by ./zhyper init-model --out DIR --alphabet ...)");
        }
        return m.toAbsolutePath().normalize();
    }
}
