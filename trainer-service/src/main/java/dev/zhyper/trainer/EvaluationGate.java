package dev.zhyper.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zhyper.core.data.Datasets;
import dev.zhyper.core.data.JsonLines;
import dev.zhyper.core.engine.ZhyperEngine;
import dev.zhyper.core.eval.EvalItem;
import dev.zhyper.core.eval.ExactMatch;
import dev.zhyper.proto.v1.GateResult;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The evaluation gate: every checkpoint is scored on the operator's held-out set ({@code zhyper.gate.file}, JSON
 * lines of {@code {task?, prompt, response, description?}}; a line without description takes one of its task's in
 * {@code zhyper.gate.descriptions}) with the experiments' scorer — greedy decoding, exact match of the output's first
 * line ({@link ExactMatch#answerIn}) with the expected response — and so is the served checkpoint (once per
 * checkpoint id: scores are cached). A checkpoint whose accuracy is below the served one's minus
 * {@code zhyper.gate.margin} fails. Without {@code zhyper.gate.file} the gate is off: checkpoints are announced
 * UNGATED and nothing is served automatically.
 */
@ApplicationScoped
public class EvaluationGate {

    private static final Logger LOG = Logger.getLogger(EvaluationGate.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    TrainerSettings settings;

    @ConfigProperty(name = "zhyper.gate.file")
    Optional<String> file;

    @ConfigProperty(name = "zhyper.gate.descriptions")
    Optional<String> descriptionsFile;

    @ConfigProperty(name = "zhyper.gate.margin", defaultValue = "0.02")
    double margin;

    @ConfigProperty(name = "zhyper.gate.candidate-share", defaultValue = "0.1")
    double candidateShare;

    @ConfigProperty(name = "zhyper.gate.max-items", defaultValue = "200")
    int maxItems;

    @ConfigProperty(name = "zhyper.gate.batch", defaultValue = "16")
    int batch;

    /** One held-out question: the description conditions MiniLM checkpoints, the task one-hot ones. */
    public record Item(String task, String description, String prompt, String expected) {}

    /** A checkpoint's score on the gate set. */
    public record Score(double accuracy, int correct, int items) {}

    private volatile List<Item> items;
    private final Map<String, Score> cache = new ConcurrentHashMap<>();
    private ZhyperEngine base;

    public boolean enabled() {
        return file.isPresent() && !file.get().isBlank();
    }

    public double margin() {
        return margin;
    }

    public double candidateShare() {
        return candidateShare;
    }

    /** The name of the held-out set as shown in GateResult.eval_set (file name only, no server paths). */
    public String evalSetName() {
        return enabled() ? Path.of(file.get()).getFileName().toString() : "";
    }

    /** Reads and checks the held-out set (called at startup so a bad file fails fast). */
    public synchronized List<Item> items() {
        if (items == null) items = load();
        return items;
    }

    void validate() {
        if (!enabled()) return;
        if (margin < 0 || !(candidateShare > 0 && candidateShare <= 1) || maxItems < 0 || batch <= 0) {
            throw new IllegalArgumentException("zhyper.gate.margin must be >= 0, .candidate-share in (0, 1],"
                    + " .max-items >= 0, .batch > 0");
        }
        List<Item> l = items();
        LOG.infof("evaluation gate: %d items of %s, margin %.3f, candidate share %.2f", l.size(), evalSetName(),
                margin, candidateShare);
    }

    private List<Item> load() {
        Path f = Path.of(file.get());
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException("zhyper.gate.file " + f + " does not exist or is not a file");
        }
        Map<String, List<String>> descs = descriptionsFile.filter(s -> !s.isBlank())
                .map(s -> Datasets.readDescriptions(Path.of(s))).orElse(Map.of());
        Map<String, List<Item>> byTask = new LinkedHashMap<>();
        Map<String, Integer> used = new LinkedHashMap<>();
        try {
            JsonLines.forEach(f, (n, line) -> {
                JsonNode j;
                try {
                    j = JSON.readTree(line);
                } catch (IOException e) {
                    throw new IllegalArgumentException(f.getFileName() + " line " + n + ": not JSON (" + e.getMessage() + ")");
                }
                String task = j.path("task").asText("");
                String prompt = j.path("prompt").asText("");
                String response = j.path("response").asText("");
                if (prompt.isBlank() || response.isBlank()) {
                    throw new IllegalArgumentException(f.getFileName() + " line " + n + ": prompt and response are required");
                }
                String d = j.path("description").asText("");
                if (d.isBlank()) {
                    List<String> ds = descs.get(task);
                    if (ds == null || ds.isEmpty()) {
                        throw new IllegalArgumentException(f.getFileName() + " line " + n + ": no description (give"
                                + " \"description\" or list task '" + task + "' in zhyper.gate.descriptions)");
                    }
                    int k = used.merge(task, 1, Integer::sum) - 1;
                    d = ds.get(k % ds.size());
                }
                byTask.computeIfAbsent(task, t -> new ArrayList<>()).add(new Item(task, d, prompt, response));
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read zhyper.gate.file " + f, e);
        }
        // at most max-items, taken round-robin over tasks so every task keeps its share
        List<Item> out = new ArrayList<>();
        int limit = maxItems == 0 ? Integer.MAX_VALUE : maxItems;
        for (int i = 0; out.size() < limit; i++) {
            boolean any = false;
            for (List<Item> l : byTask.values()) {
                if (i < l.size() && out.size() < limit) {
                    out.add(l.get(i));
                    any = true;
                }
            }
            if (!any) break;
        }
        if (out.isEmpty()) throw new IllegalArgumentException("zhyper.gate.file " + f + " has no items");
        return List.copyOf(out);
    }

    /** The score of a checkpoint (cached per checkpoint id). */
    public Score score(String checkpointId, Path checkpoint) {
        Score s = cache.get(checkpointId);
        if (s != null) return s;
        s = evaluate(checkpoint);
        cache.put(checkpointId, s);
        return s;
    }

    private synchronized Score evaluate(Path checkpoint) {
        long t0 = System.nanoTime();
        if (base == null) base = ZhyperEngine.open(settings.modelDir(), null, settings.modelOptions());
        try (ZhyperEngine e = base.withCheckpoint(checkpoint)) {
            boolean oneHot = e.embedder() instanceof dev.zhyper.core.embed.OneHotEmbedder;
            java.util.Set<String> labels = oneHot
                    ? new java.util.HashSet<>(((dev.zhyper.core.embed.OneHotEmbedder) e.embedder()).labels()) : null;
            List<EvalItem> eval = new ArrayList<>();
            int unanswerable = 0; // one-hot checkpoints cannot condition on a task they never saw: counted wrong
            int longest = 1;
            for (Item it : items()) {
                if (oneHot && !labels.contains(it.task())) {
                    unanswerable++;
                    continue;
                }
                eval.add(new EvalItem(it.task(), oneHot ? it.task() : it.description(), null, it.prompt(), it.expected()));
                longest = Math.max(longest, e.tokenizer().encode(it.expected(), false).length);
            }
            ExactMatch.Result r = eval.isEmpty() ? new ExactMatch.Result(0, 0, Map.of(), List.of())
                    : ExactMatch.evaluate(e, eval, batch, longest + 4, ExactMatch::answerIn, n -> {});
            int total = eval.size() + unanswerable;
            Score s = new Score(total == 0 ? 0 : (double) r.correct() / total, r.correct(), total);
            StringBuilder sample = new StringBuilder();
            for (ExactMatch.Prediction p : r.predictions().subList(0, Math.min(3, r.predictions().size()))) {
                sample.append(String.format(Locale.ROOT, " [%s: '%s' -> '%s']", p.item().task(), p.item().expected(),
                        ExactMatch.answerIn(p.output())));
            }
            LOG.infof("gate: %s scored %d/%d = %.3f on %s in %.1f s; e.g.%s", checkpoint.getFileName(), s.correct(),
                    s.items(), s.accuracy(), evalSetName(), (System.nanoTime() - t0) / 1e9, sample);
            return s;
        }
    }

    /** The verdict on {@code candidate} against the served checkpoint ({@code served} empty: nothing served). */
    public GateResult judge(String candidateId, Path candidate, Optional<Served> served) {
        Score c = score(candidateId, candidate);
        GateResult.Builder g = GateResult.newBuilder().setAccuracy(c.accuracy()).setItems(c.items()).setMargin(margin)
                .setEvalSet(evalSetName());
        if (served.isEmpty() || served.get().id().equals(candidateId)) {
            return g.setPassed(true).setReason(String.format(Locale.ROOT,
                    "accuracy %.3f (%d/%d); nothing served to compare with", c.accuracy(), c.correct(), c.items()))
                    .build();
        }
        Score s = score(served.get().id(), served.get().dir());
        boolean passed = c.accuracy() >= s.accuracy() - margin;
        g.setServedAccuracy(s.accuracy()).setServedCheckpointId(served.get().id()).setPassed(passed);
        return g.setReason(String.format(Locale.ROOT, "accuracy %.3f %s served %.3f - margin %.3f", c.accuracy(),
                passed ? ">=" : "<", s.accuracy(), margin)).build();
    }

    /** The checkpoint served now. */
    public record Served(String id, Path dir) {}

    @PreDestroy
    synchronized void close() {
        if (base != null) base.close();
        base = null;
    }
}
