package dev.zhyper.cli.commands;

import dev.zhyper.cli.common.CliException;
import dev.zhyper.cli.common.RuntimeOptions;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.engine.ZhyperEngine;
import dev.zhyper.core.generate.GenerationResult;
import dev.zhyper.core.generate.SamplingParams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code zhyper generate}: text from the base model, or adapted by a checkpoint for a context description. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text; with --checkpoint and --context the adapter is conditioned on the description.")
public final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--model", required = true, paramLabel = "DIR") Path model;

    @Option(names = "--checkpoint", paramLabel = "CKPT") Path checkpoint;

    @Option(names = "--context", paramLabel = "TEXT", description = "Description that conditions the adapter.")
    String context;

    @Option(names = "--system", paramLabel = "TEXT", description = "System text placed in the prompt (optional).")
    String system;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT") String prompt;

    @Option(names = "--max-tokens", defaultValue = "64") int maxTokens;

    @Option(names = "--temperature", defaultValue = "0") float temperature;

    @Option(names = "--top-k", defaultValue = "0") int topK;

    @Option(names = "--top-p", defaultValue = "1") float topP;

    @Option(names = "--seed", defaultValue = "0") long seed;

    @Option(names = "--stop", split = ",", description = "Extra stop strings.") List<String> stops;

    @Override
    public Integer call() {
        if ((checkpoint == null) != (context == null)) {
            throw new CliException("--checkpoint and --context go together");
        }
        SamplingParams sampling;
        try {
            sampling = new SamplingParams(temperature, topK, topP, seed);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        try (ZhyperEngine engine = ZhyperEngine.open(model, checkpoint, runtime.modelOptions())) {
            ContextModulation z = context == null ? null : engine.modulate(context);
            var request = engine.request(system, prompt, z, sampling, maxTokens, stops);
            GenerationResult r = engine.generate(List.of(request), (row, delta) -> {
                out.print(delta);
                out.flush();
            }).get(0);
            out.println();
            out.flush();
            spec.commandLine().getErr().printf("[%d prompt tokens, %d generated, %s%s]%n", r.promptTokens(),
                    r.tokens().length, r.finishReason().name().toLowerCase(),
                    engine.checkpointId() == null ? "" : ", checkpoint " + engine.checkpointId());
        }
        return 0;
    }
}
