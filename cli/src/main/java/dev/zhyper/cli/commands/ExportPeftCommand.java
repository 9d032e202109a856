package dev.zhyper.cli.commands;

import dev.zhyper.cli.common.CliException;
import dev.zhyper.cli.common.RuntimeOptions;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.engine.ZhyperEngine;
import dev.zhyper.core.adapter.PeftExport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code zhyper export-peft}: the adapter of one context as a standard Hugging Face PEFT LoRA directory
 * (lora_A = Z(c)·A, lora_B = B), loadable with {@code PeftModel.from_pretrained}. Prints the directory on stdout.
 */
@Command(name = "export-peft", mixinStandardHelpOptions = true,
        description = {"Export the adapter of one context as a Hugging Face PEFT LoRA adapter directory",
                "(adapter_config.json + adapter_model.safetensors). Prints the directory on stdout."})
public final class ExportPeftCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model directory the checkpoint was trained for (with tokenizer.json).")
    Path model;

    @Option(names = "--checkpoint", required = true, paramLabel = "CKPT", description = "Adapter checkpoint directory.")
    Path checkpoint;

    @Option(names = "--context", paramLabel = "TEXT",
            description = "Context description (task label for one-hot checkpoints); not needed for mtl checkpoints.")
    String context;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Output directory (created; an empty directory or a previous export is replaced).")
    Path out;

    @Option(names = "--base-model-name", paramLabel = "NAME",
            description = "base_model_name_or_path to record (default: the --model path).")
    String baseModelName;

    @Override
    public Integer call() {
        try (ZhyperEngine engine = ZhyperEngine.open(model, checkpoint, runtime.modelOptions())) {
            boolean usesContext = engine.adapter().spec().method().usesHypernetwork();
            if (usesContext && context == null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--context is required: the checkpoint's method ("
                                + engine.adapter().spec().method().id() + ") conditions on a context");
            }
            ContextModulation z = usesContext ? engine.modulate(context) : engine.modulate("");
            String name = baseModelName != null ? baseModelName : model.toString();
            try {
                PeftExport.write(out, engine.adapter(), z, name,
                        new PeftExport.Provenance(engine.checkpointId(), usesContext ? context : null));
            } catch (IOException e) {
                throw new UncheckedIOException(out + ": " + e.getMessage(), e);
            } catch (IllegalStateException e) {
                throw new CliException(e.getMessage(), e);
            }
            PrintWriter err = spec.commandLine().getErr();
            err.println("wrote PEFT LoRA adapter (" + engine.adapter().spec().method().id() + ", r="
                    + engine.adapter().spec().rank() + ", " + engine.adapter().sites().size() + " modules) to " + out);
            err.println("per-context z: " + z.values().length + " floats (" + z.bytes() + " bytes)");
            err.flush();
        }
        PrintWriter o = spec.commandLine().getOut();
        o.println(out);
        o.flush();
        return 0;
    }
}
