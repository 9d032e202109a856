package dev.zhyper.trainer;

import dev.zhyper.core.data.Datasets;
import dev.zhyper.core.data.TrainingExample;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Quarkus test resource for the gate with real parts: the shipped base {@code models/zhyper-tiny} and checkpoint
 * {@code models/zhyper-tiny-diag} (served: {@code zhyper.trainer.initial-checkpoint}), MiniLM conditioning, and a
 * gate file of the suite's validation split — {@value #PER_TASK} items of every seen task, each with one of its
 * HELD-OUT descriptions — in a temp dir with an empty checkpoint root.
 */
public class SuiteGateResource implements QuarkusTestResourceLifecycleManager {

    static final int PER_TASK = 2;
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("zhyper-gate-test");
            Path suite = REPO.resolve("data/suite");
            Map<String, List<String>> held = Datasets.readDescriptions(suite.resolve("descriptions.heldout.json"));
            StringBuilder sb = new StringBuilder();
            Map<String, Integer> k = new HashMap<>();
            for (TrainingExample e : gateExamples()) {
                int i = k.merge(e.task(), 1, Integer::sum) - 1;
                sb.append(String.format("{\"task\":%s,\"prompt\":%s,\"response\":%s,\"description\":%s}%n", q(e.task()),
                        q(e.prompt()), q(e.response()), q(held.get(e.task()).get(i))));
            }
            Path gate = Files.writeString(dir.resolve("validation-seen.jsonl"), sb);
            Map<String, String> m = new HashMap<>();
            m.put("zhyper.model.dir", REPO.resolve("models/zhyper-tiny").toString());
            m.put("zhyper.trainer.initial-checkpoint", REPO.resolve("models/zhyper-tiny-diag").toString());
            m.put("zhyper.checkpoints.root", dir.resolve("checkpoints").toString());
            m.put("zhyper.gate.file", gate.toString());
            m.put("zhyper.gate.max-items", "0");
            m.put("zhyper.gate.margin", "0.08");
            // the training set of a round = the newest 300 examples (so the shuffled round trains on shuffled ones only)
            m.put("zhyper.trainer.stream.max-examples", "300");
            m.put("zhyper.gate.candidate-share", "0.25");
            // the shipped checkpoint's adapter (diag r=8 on q_proj,v_proj, MiniLM), refined gently
            m.put("zhyper.trainer.conditioning", "minilm");
            m.put("zhyper.trainer.rank", "8");
            m.put("zhyper.trainer.batch", "8");
            m.put("zhyper.trainer.lr", "3e-4");
            m.put("zhyper.trainer.stream.steps-per-round", "20");
            m.put("zhyper.trainer.stream.warmup-steps", "2");
            m.put("zhyper.trainer.stream.min-examples", "300");
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The gate's items: the first {@value #PER_TASK} validation examples of every seen task. */
    static List<TrainingExample> gateExamples() {
        Path suite = REPO.resolve("data/suite");
        Set<String> seen = new LinkedHashSet<>();
        Datasets.readExamples(suite.resolve("train.jsonl")).forEach(e -> seen.add(e.task()));
        Map<String, Integer> k = new HashMap<>();
        List<TrainingExample> out = new java.util.ArrayList<>();
        for (TrainingExample e : Datasets.readExamples(suite.resolve("validation.jsonl"))) {
            if (seen.contains(e.task()) && k.merge(e.task(), 1, Integer::sum) <= PER_TASK) out.add(e);
        }
        return out;
    }

    private static String q(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    @Override
    public void stop() {
        TinyModelResource.deleteTree(dir);
    }
}
