package dev.zhyper.cli;

import dev.zhyper.cli.commands.BenchCommand;
import dev.zhyper.cli.commands.BenchServeCommand;
import dev.zhyper.cli.commands.BenchmarkCommand;
import dev.zhyper.cli.commands.CeilingCommand;
import dev.zhyper.cli.commands.ConvertTasksCommand;
import dev.zhyper.cli.commands.DemoCommand;
import dev.zhyper.cli.commands.DownCommand;
import dev.zhyper.cli.commands.ExperimentsCommand;
import dev.zhyper.cli.commands.ExportPeftCommand;
import dev.zhyper.cli.commands.GenerateCommand;
import dev.zhyper.cli.commands.InitModelCommand;
import dev.zhyper.cli.commands.LogitsCommand;
import dev.zhyper.cli.commands.ParamsCommand;
import dev.zhyper.cli.commands.PretrainCommand;
import dev.zhyper.cli.commands.SoakCommand;
import dev.zhyper.cli.commands.TrainCommand;
import dev.zhyper.cli.commands.UpCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;

/**
 * Entry point of the {@code zhyper} command. Every subcommand writes only its result to stdout; diagnostics go to
 * stderr. Exit codes: 0 success, 1 failure (one line {@code error: <message>} on stderr, stack trace with
 * {@code --debug} or {@code ZHYPER_DEBUG=1}), 2 bad usage.
 *
 * <p>New commands live in {@code dev.zhyper.cli.commands}, one class per command, and are registered in
 * {@link #SUBCOMMANDS}.
 */
@Command(name = "zhyper",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Factorized hypernetworks for conditioned LLM fine-tuning.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main {
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    /** The subcommands, in the order `zhyper --help` lists them. */
    static final Class<?>[] SUBCOMMANDS = {ParamsCommand.class, LogitsCommand.class, TrainCommand.class,
        GenerateCommand.class, InitModelCommand.class, ExportPeftCommand.class, PretrainCommand.class,
        SoakCommand.class, BenchCommand.class, BenchServeCommand.class, BenchmarkCommand.class, CeilingCommand.class, ConvertTasksCommand.class,
        ExperimentsCommand.class, UpCommand.class, DownCommand.class, DemoCommand.class};

    @CommandLine.Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print stack traces of failures (also: environment ZHYPER_DEBUG=1).")
    boolean debug;

    public static void main(String[] args) {
        if (System.getProperty("ai.djl.default_engine") == null) {
            System.setProperty("ai.djl.default_engine", "PyTorch");
        }
        int code;
        try {
            code = newCommandLine().execute(args);
        } catch (Throwable t) { // errors picocli lets through (e.g. a missing native library)
            reportFailure(t, debugRequested(args), new PrintWriter(System.err, true));
            code = EXIT_FAILURE;
        }
        System.exit(code);
    }

    /** A fully configured command line; tests call {@code setOut}/{@code setErr} on it and {@code execute}. */
    public static CommandLine newCommandLine() {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        for (Class<?> c : SUBCOMMANDS) {
            cl.addSubcommand(c);
        }
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            boolean debug = main.debug || parseResult.originalArgs().contains("--debug") || debugFromEnv();
            reportFailure(ex, debug, cmd.getErr());
            return EXIT_FAILURE;
        });
        return cl;
    }

    static void reportFailure(Throwable t, boolean debug, PrintWriter err) {
        err.println("error: " + message(t));
        if (debug) {
            t.printStackTrace(err);
        }
        err.flush();
    }

    /** A one-line message: the exception's own message, or its type where it has none. */
    static String message(Throwable t) {
        Throwable c = t;
        while (c.getMessage() == null && c.getCause() != null) {
            c = c.getCause();
        }
        String m = c.getMessage();
        if (m == null || m.isBlank()) {
            return c.getClass().getSimpleName();
        }
        return m.strip().replace('\n', ' ');
    }

    private static boolean debugFromEnv() {
        String v = System.getenv("ZHYPER_DEBUG");
        return v != null && !v.isEmpty() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }

    private static boolean debugRequested(String[] args) {
        for (String a : args) {
            if (a.equals("--debug")) {
                return true;
            }
        }
        return debugFromEnv();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"zhyper " + (v == null ? "development build" : v)};
        }
    }
}
