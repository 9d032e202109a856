package dev.zhyper.cli.commands;

import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.LayerSelection;
import dev.zhyper.core.adapter.ParameterCounts;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.TargetModule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code zhyper params}: trainable-parameter counts of every method, from the model's config.json alone.
 * Prints one line per (rank, method): {@code <method> <rank> <trainable-params>}.
 */
@Command(name = "params", mixinStandardHelpOptions = true,
        description = {"Print the trainable parameters of mtl, zhyper-diag, zhyper-square and t2l for a model shape.",
                "Output: one line '<method> <rank> <trainable-params>' per rank and method."})
public final class ParamsCommand implements Callable<Integer> {

    /** The methods, in output order. */
    static final List<AdapterMethod> METHODS =
            List.of(AdapterMethod.MTL, AdapterMethod.DIAG, AdapterMethod.SQUARE, AdapterMethod.T2L);

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model directory (only config.json is read) or a config.json file.")
    Path model;

    @Option(names = "--rank", required = true, split = ",", paramLabel = "R",
            description = "LoRA rank; a comma list (8,16,32) prints each.")
    List<Integer> ranks;

    @Option(names = "--embed-dim", required = true, paramLabel = "D",
            description = "Width of the context embedding d_c fed to the hypernetwork.")
    int embedDim;

    @Option(names = "--targets", split = ",", paramLabel = "MODULE", defaultValue = "q_proj,v_proj",
            converter = TargetConverter.class,
            description = "Adapted projections (default: ${DEFAULT-VALUE}).")
    List<TargetModule> targets;

    @Option(names = "--layers", paramLabel = "SEL", defaultValue = "all",
            description = "Adapted layers: all, a:b or a:b:step (default: ${DEFAULT-VALUE}).")
    String layers;

    @Option(names = "--hyper-hidden", defaultValue = "512", paramLabel = "N",
            description = "Hidden width of the hypernetwork's MLPs (default ${DEFAULT-VALUE}, the paper's).")
    int hyperHidden;

    @Option(names = "--hyper-task-dim", defaultValue = "64", paramLabel = "N",
            description = "Width of the task encoding in the trunk (default ${DEFAULT-VALUE}).")
    int hyperTaskDim;

    @Option(names = "--hyper-out", defaultValue = "512", paramLabel = "N",
            description = "Width of the trunk's output, d_MLP_out (default ${DEFAULT-VALUE}).")
    int hyperOut;

    @Option(names = "--hyper-blocks", defaultValue = "2", paramLabel = "N",
            description = "Residual blocks of the trunk (default ${DEFAULT-VALUE}).")
    int hyperBlocks;

    @Override
    public Integer call() {
        ModelConfig cfg = ModelConfig.load(model);
        LayerSelection selection = LayerSelection.parse(layers);
        HyperSpec hyper = HyperSpec.defaults(embedDim).withWidths(hyperTaskDim, hyperHidden, hyperOut, hyperBlocks);
        PrintWriter out = spec.commandLine().getOut();
        StringBuilder sb = new StringBuilder();
        for (int r : ranks) {
            for (AdapterMethod method : METHODS) {
                AdapterSpec a = AdapterSpec.of(r, method).withTargets(targets).withLayers(selection);
                sb.append(method.id()).append(' ').append(r).append(' ')
                        .append(ParameterCounts.total(cfg, a, hyper)).append('\n');
            }
        }
        out.print(sb);
        out.flush();
        return 0;
    }

    static final class TargetConverter implements picocli.CommandLine.ITypeConverter<TargetModule> {
        @Override
        public TargetModule convert(String value) {
            try {
                return TargetModule.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
