package dev.zhyper.cli.commands;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.data.TrainingExample;
import dev.zhyper.core.embed.OneHotEmbedder;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.core.text.ChatTemplate;
import dev.zhyper.core.text.TextTokenizer;
import dev.zhyper.training.TaskSampler;
import dev.zhyper.training.TrainOptions;
import dev.zhyper.training.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code zhyper soak}: runs many training steps on a small random model and reports the process's resident
 * memory along the way, to show that steps release their native memory (a flat footprint).
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Train N steps on a small random model and print resident memory every so often.")
public final class SoakCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--steps", defaultValue = "1000") int steps;

    @Option(names = "--every", defaultValue = "100") int every;

    @Override
    public Integer call() throws IOException {
        Path dir = Files.createTempDirectory("zhyper-soak");
        RandomModels.writeLlama(dir, new RandomModels.LlamaShape(0, 64, 176, 4, 4, 2, 256), "abcdefghijklmnop ", 1);
        List<TrainingExample> data = new ArrayList<>();
        String[] words = {"abc", "bead", "cafe", "dig", "hop", "mop", "nap", "lip"};
        for (String w : words) {
            data.add(new TrainingExample("copy", w, w));
            data.add(new TrainingExample("rev", w, new StringBuilder(w).reverse().toString()));
        }
        Map<String, List<String>> desc = Map.of("copy", List.of("copy it"), "rev", List.of("reverse it"));
        PrintWriter out = spec.commandLine().getOut();
        try (DecoderModel base = DecoderModel.load(dir, ModelOptions.cpuFloat32());
             TextTokenizer tok = TextTokenizer.load(dir);
             ZhyperAdapter a = new ZhyperAdapter(base.config(), AdapterSpec.of(8, AdapterMethod.DIAG),
                     HyperSpec.defaults(4), Device.cpu(), DataType.FLOAT32, 1);
             Trainer t = new Trainer(base, a, new OneHotEmbedder(List.of("copy it", "reverse it", "copy", "rev")), tok,
                     ChatTemplate.PLAIN, new TaskSampler(data, desc, 1),
                     TrainOptions.defaults(steps).withBatch(4).withLr(1e-3))) {
            out.println("step  rss_mib  loss");
            long first = 0;
            long last = 0;
            while (!t.finished()) {
                Trainer.StepResult r = t.step();
                if (t.stepsDone() % every == 0 || t.stepsDone() == 1) {
                    last = rssKib() / 1024;
                    if (t.stepsDone() == every) {
                        first = last;
                    }
                    out.printf("%5d  %7d  %.4f%n", t.stepsDone(), last, r.loss());
                    out.flush();
                }
            }
            out.printf("rss growth from step %d to %d: %+d MiB%n", every, steps, last - first);
        }
        return 0;
    }

    private static long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
