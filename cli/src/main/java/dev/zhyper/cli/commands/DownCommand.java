package dev.zhyper.cli.commands;

import dev.zhyper.cli.stack.LocalStack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code zhyper down}: stops the stack that {@code zhyper up} recorded in {@code <home>/stack.json}. */
@Command(name = "down", mixinStandardHelpOptions = true,
        description = {"Stop the embedded stack started by `zhyper up` (SIGTERM, then SIGKILL after --grace seconds)."})
public final class DownCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR", description = "As given to `zhyper up` (default: <repository>/.zhyper/stack).")
    Path home;

    @Option(names = "--grace", defaultValue = "20", description = "Seconds to wait after SIGTERM before killing.")
    int grace;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path h = UpCommand.resolveHome(LocalStack.repoRoot(), home);
        if (!LocalStack.down(h, Duration.ofSeconds(grace), out)) {
            out.println("no stack is up (no " + h.resolve(LocalStack.STATE_FILE) + ")");
        } else {
            out.println("zhyper stack stopped");
        }
        out.flush();
        return 0;
    }
}
