package dev.zhyper.lab.experiments;

import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.ParameterCounts;
import dev.zhyper.core.embed.MiniLmEmbedder;
import dev.zhyper.core.engine.ZhyperEngine;
import dev.zhyper.core.eval.EvalItem;
import dev.zhyper.core.eval.ExactMatch;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.core.data.TrainingExample;
import dev.zhyper.lab.suite.TaskSuite;
import dev.zhyper.training.TrainOptions;
import dev.zhyper.training.TrainingRun;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Runs the comparison grid resumably: each cell lives in {@code out/runs/<id>/} with its checkpoint
 * ({@code ckpt/}), per-step losses ({@code loss.csv}) and, once evaluated, {@code result.json}. Cells with a
 * result are skipped; an interrupted training resumes from its last checkpoint (loss rows past it are dropped).
 */
public final class ExperimentRunner {
    /** Longest expected output (12 characters) plus end-of-sequence and slack. */
    public static final int MAX_NEW_TOKENS = TaskSuite.MAX_OUTPUT + 4;
    public static final String LOSS_CSV = "loss.csv";
    public static final String Z_CSV = "z.csv";

    private final ExperimentPlan plan;
    private final SuiteData suite;
    private final ModelConfig model;

    public ExperimentRunner(ExperimentPlan plan) {
        this.plan = plan;
        this.suite = SuiteData.load(plan.suiteDir());
        this.model = ModelConfig.load(plan.modelDir());
    }

    public SuiteData suite() { return suite; }

    /** Runs (or skips) every cell and returns the results in grid order. */
    public List<RunResult> run(ExperimentListener listener) {
        List<ExperimentPlan.Cell> cells = plan.cells();
        List<RunResult> results = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            ExperimentPlan.Cell c = cells.get(i);
            Path dir = plan.runDir(c);
            if (RunResult.exists(dir)) {
                RunResult r = complete(c, dir, RunResult.read(dir), listener);
                results.add(r);
                listener.runFinished(i, cells.size(), c, r, true);
                continue;
            }
            listener.runStarted(i, cells.size(), c, c.method().trains() ? plan.steps() : 0);
            RunResult r = runCell(c, dir, listener);
            r.write(dir);
            results.add(r);
            listener.runFinished(i, cells.size(), c, r, false);
        }
        listener.finished();
        return results;
    }

    /**
     * A finished run written before {@code seenTrainDescAccuracy} and {@code tailLoss} existed gets them now, from
     * its loss.csv and checkpoint (no retraining); a run that has them is returned as read.
     */
    private RunResult complete(ExperimentPlan.Cell c, Path dir, RunResult r, ExperimentListener listener) {
        ExperimentMethod m = c.method();
        Double tail = r.tailLoss() != null ? r.tailLoss() : tailLoss(dir.resolve(LOSS_CSV));
        Double trainDesc = r.seenTrainDescAccuracy();
        Path ckpt = dir.resolve("ckpt");
        if (trainDesc == null && describes(m) && Files.isDirectory(ckpt)) {
            try (ZhyperEngine engine = ZhyperEngine.open(plan.modelDir(), ckpt, plan.modelOptions())) {
                trainDesc = seenTrainDescAccuracy(engine, c, listener);
            }
        }
        if (Objects.equals(tail, r.tailLoss()) && Objects.equals(trainDesc, r.seenTrainDescAccuracy())) {
            return r;
        }
        RunResult done = r.withExtras(trainDesc, tail);
        done.write(dir);
        return done;
    }

    /** Whether a description conditions the method (through z or the prompt), so training descriptions differ. */
    private static boolean describes(ExperimentMethod m) {
        return m.trains() && !m.oneHot() && (m.conditioned() || m.inPrompt());
    }

    private Double seenTrainDescAccuracy(ZhyperEngine engine, ExperimentPlan.Cell c, ExperimentListener listener) {
        List<EvalItem> items = trainDescriptionItems(c.method());
        ExactMatch.Result er = ExactMatch.evaluate(engine, items, plan.evalBatch(), MAX_NEW_TOKENS,
                done -> listener.evaluating(c, done, items.size()));
        return mean(accuracyPerTask(er), suite.seenTasks());
    }

    /** Task → fraction of its items answered exactly. */
    private static Map<String, Double> accuracyPerTask(ExactMatch.Result er) {
        Map<String, Double> perTask = new LinkedHashMap<>();
        er.perTask().forEach((t, k) -> perTask.put(t, (double) k[0] / k[1]));
        return perTask;
    }

    private RunResult runCell(ExperimentPlan.Cell c, Path dir, ExperimentListener listener) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ExperimentMethod m = c.method();
        Path ckpt = dir.resolve("ckpt");
        double finalLoss = Double.NaN;
        long t0 = System.nanoTime();
        if (m.trains()) {
            finalLoss = train(c, dir, ckpt, listener);
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        List<EvalItem> items = evalItems(m);
        ExactMatch.Result er;
        Double trainDesc = null;
        try (ZhyperEngine engine = ZhyperEngine.open(plan.modelDir(), m.trains() ? ckpt : null, plan.modelOptions())) {
            er = ExactMatch.evaluate(engine, items, plan.evalBatch(), MAX_NEW_TOKENS,
                    done -> listener.evaluating(c, done, items.size()));
            if (describes(m)) {
                trainDesc = seenTrainDescAccuracy(engine, c, listener);
            }
            if (m.method() == dev.zhyper.core.adapter.AdapterMethod.DIAG && !m.oneHot()) {
                writeZ(engine, dir.resolve(Z_CSV));
            }
        }
        double evalSeconds = (System.nanoTime() - t1) / 1e9;
        Map<String, Double> perTask = accuracyPerTask(er);
        Map<String, double[]> simSums = new LinkedHashMap<>();
        for (ExactMatch.Prediction p : er.predictions()) {
            double[] acc = simSums.computeIfAbsent(p.item().task(), k -> new double[2]);
            acc[0] += charSimilarity(p.output().strip(), p.item().expected().strip());
            acc[1]++;
        }
        Map<String, Double> perTaskSim = new LinkedHashMap<>();
        simSums.forEach((t, a) -> perTaskSim.put(t, a[0] / a[1]));
        writePredictions(dir.resolve("predictions.jsonl"), er.predictions());
        double seen = mean(perTask, suite.seenTasks());
        Double held = m.oneHot() ? null : mean(perTask, suite.heldOutTasks());
        double[] losses = readLosses(dir.resolve(LOSS_CSV));
        if (m.trains() && Double.isNaN(finalLoss) && losses.length > 0) {
            finalLoss = losses[losses.length - 1];
        }
        return new RunResult(m.name(), c.rank(), c.seed(), m.trains() ? plan.steps() : 0, trainableParams(m, c.rank()),
                bytesPerContext(m, c.rank()), seen, held, perTask, finalLoss, meanStepMillis(dir.resolve(LOSS_CSV)),
                trainSeconds, evalSeconds, items.size(), mean(perTaskSim, suite.seenTasks()),
                m.oneHot() ? null : mean(perTaskSim, suite.heldOutTasks()), perTaskSim, trainDesc,
                tailLoss(dir.resolve(LOSS_CSV)));
    }

    private double train(ExperimentPlan.Cell c, Path dir, Path ckpt, ExperimentListener listener) {
        ExperimentMethod m = c.method();
        TrainOptions o = plan.training().withSeed(c.seed()).withConditioning(m.inPrompt(), m.oneHot());
        Path lossCsv = dir.resolve(LOSS_CSV);
        boolean[] first = {true};
        try {
            TrainingRun.Result r = TrainingRun.run(new TrainingRun.Config(plan.modelDir(), plan.spec(m, c.rank()), o,
                    m.conditioning(), ckpt, plan.checkpointEvery(), plan.modelOptions(), plan.embedder(), plan.hyper()),
                    suite.train(),
                    suite.trainingDescriptions(), s -> {
                        if (first[0]) {
                            first[0] = false;
                            truncateLosses(lossCsv, s.step());
                        }
                        appendLoss(lossCsv, s.step(), s.loss(), s.lr(), s.millis());
                        listener.step(c, s.step(), plan.steps(), s.loss(), s.millis());
                    });
            return r.finalLoss();
        } catch (UncheckedIOException e) {
            throw e;
        }
    }

    /** Seen tasks with held-out descriptions, then held-out tasks (not for one-hot), K test inputs each. */
    public List<EvalItem> evalItems(ExperimentMethod m) {
        List<EvalItem> items = new ArrayList<>();
        List<String> tasks = new ArrayList<>(suite.seenTasks());
        if (!m.oneHot()) {
            tasks.addAll(suite.heldOutTasks());
        }
        for (String task : tasks) {
            List<String> desc = suite.heldOutDescriptions().get(task);
            List<TrainingExample> ex = suite.testOf(task, plan.evalPerTask());
            for (int i = 0; i < ex.size(); i++) {
                String d = desc.get(i % desc.size());
                String condition = m.oneHot() ? task : m.conditioned() ? d : null;
                String system = m.inPrompt() ? d : null;
                items.add(new EvalItem(task, condition, system, ex.get(i).prompt(), ex.get(i).response()));
            }
        }
        return items;
    }

    /**
     * Seen tasks asked with their training descriptions, K test inputs each (input i with training description
     * i mod their count): what the adapter does on phrasings it was trained on, beside {@link #evalItems} (new
     * phrasings).
     * Empty where no description conditions the method.
     */
    public List<EvalItem> trainDescriptionItems(ExperimentMethod m) {
        List<EvalItem> items = new ArrayList<>();
        if (!describes(m)) {
            return items;
        }
        for (String task : suite.seenTasks()) {
            List<String> desc = suite.trainDescriptions().get(task);
            List<TrainingExample> ex = suite.testOf(task, plan.evalPerTask());
            for (int i = 0; i < ex.size(); i++) {
                String d = desc.get(i % desc.size());
                items.add(new EvalItem(task, m.conditioned() ? d : null, m.inPrompt() ? d : null, ex.get(i).prompt(),
                        ex.get(i).response()));
            }
        }
        return items;
    }

    /** z of every held-out description (all tasks) and of the first 8 training descriptions of seen tasks. */
    private void writeZ(ZhyperEngine engine, Path file) {
        List<String[]> rows = new ArrayList<>();
        for (SuiteData.TaskInfo t : suite.tasks()) {
            for (String d : suite.heldOutDescriptions().get(t.name())) {
                rows.add(new String[] {t.name(), t.heldOut() ? "heldout-task" : "heldout-desc", d});
            }
            if (!t.heldOut()) {
                List<String> tr = suite.trainDescriptions().get(t.name());
                for (String d : tr.subList(0, Math.min(8, tr.size()))) {
                    rows.add(new String[] {t.name(), "train-desc", d});
                }
            }
        }
        List<ContextModulation> z = engine.modulate(rows.stream().map(r -> r[2]).toList());
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("task,kind,z...\n");
            for (int i = 0; i < rows.size(); i++) {
                StringBuilder sb = new StringBuilder(rows.get(i)[0]).append(',').append(rows.get(i)[1]);
                for (float v : z.get(i).values()) {
                    sb.append(',').append(v);
                }
                w.write(sb.append('\n').toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 1 − Levenshtein distance / length of the longer string (1 when both are empty). */
    public static double charSimilarity(String a, String b) {
        int n = a.length(), m = b.length();
        if (Math.max(n, m) == 0) {
            return 1;
        }
        int[] prev = new int[m + 1], cur = new int[m + 1];
        for (int j = 0; j <= m; j++) prev[j] = j;
        for (int i = 1; i <= n; i++) {
            cur[0] = i;
            for (int j = 1; j <= m; j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1),
                        prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return 1 - (double) prev[m] / Math.max(n, m);
    }

    private static void writePredictions(Path file, List<ExactMatch.Prediction> predictions) {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (ExactMatch.Prediction p : predictions) {
                var n = json.createObjectNode();
                n.put("task", p.item().task());
                n.put("condition", p.item().condition());
                n.put("system", p.item().system());
                n.put("prompt", p.item().prompt());
                n.put("expected", p.item().expected());
                n.put("output", p.output());
                n.put("correct", p.correct());
                w.write(json.writeValueAsString(n));
                w.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long trainableParams(ExperimentMethod m, int rank) {
        if (!m.trains()) {
            return 0;
        }
        AdapterSpec spec = plan.spec(m, rank);
        return ParameterCounts.total(model, spec, plan.hyper().withEmbedDim(embedDim(m)));
    }

    /** d_c of a row: the task count for one-hot, else the plan's embedder's dimension. */
    private int embedDim(ExperimentMethod m) {
        if (m.oneHot()) {
            return suite.seenTasks().size();
        }
        return switch (plan.embedder()) {
            case "minilm" -> MiniLmEmbedder.DIM;
            case "base" -> model.hiddenSize();
            default -> {
                var p = dev.zhyper.core.embed.PackagedEmbedder.Model.byName(plan.embedder());
                if (p == null) {
                    throw new IllegalArgumentException("unknown embedder " + plan.embedder());
                }
                yield p.dim();
            }
        };
    }

    /** What must be stored or sent per context: the hypernetwork's output (fp32); 0 for one shared LoRA. */
    public long bytesPerContext(ExperimentMethod m, int rank) {
        if (!m.trains() || !m.method().usesHypernetwork()) {
            return 0;
        }
        AdapterSpec spec = m.spec(rank).withTargets(plan.targets());
        long n = 0;
        for (TargetModule t : spec.targets()) {
            n += m.method().headWidth(rank, model.inDim(t), model.outDim(t));
        }
        return 4L * n * spec.layers().layers(model.numLayers()).length;
    }

    private static double mean(Map<String, Double> perTask, List<String> tasks) {
        return tasks.stream().filter(perTask::containsKey).mapToDouble(perTask::get).average().orElse(0);
    }

    private static void appendLoss(Path file, long step, double loss, double lr, long millis) {
        try {
            boolean header = !Files.exists(file);
            String line = (header ? "step,loss,lr,ms\n" : "")
                    + String.format(Locale.ROOT, "%d,%.6f,%.6g,%d%n", step, loss, lr, millis);
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Drops loss rows at or past {@code fromStep} (written after the checkpoint a resumed run restarts from). */
    private static void truncateLosses(Path file, long fromStep) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            List<String> keep = new ArrayList<>();
            for (String l : Files.readAllLines(file)) {
                if (keep.isEmpty() || Long.parseLong(l.substring(0, l.indexOf(','))) < fromStep) {
                    keep.add(l);
                }
            }
            Files.write(file, keep);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Column {@code col} of loss.csv (0 step, 1 loss, 3 ms); empty when absent. */
    static double[] readColumn(Path file, int col) {
        if (!Files.exists(file)) {
            return new double[0];
        }
        try {
            List<String> lines = Files.readAllLines(file);
            double[] out = new double[Math.max(0, lines.size() - 1)];
            for (int i = 1; i < lines.size(); i++) {
                out[i - 1] = Double.parseDouble(lines.get(i).split(",")[col]);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double[] readLosses(Path file) { return readColumn(file, 1); }

    /** Mean loss of the last {@link RunResult#TAIL_STEPS} rows of loss.csv; null when it has none. */
    static Double tailLoss(Path file) {
        double[] l = readLosses(file);
        if (l.length == 0) {
            return null;
        }
        int from = Math.max(0, l.length - RunResult.TAIL_STEPS);
        double s = 0;
        for (int i = from; i < l.length; i++) {
            s += l[i];
        }
        return s / (l.length - from);
    }

    private static double meanStepMillis(Path file) {
        double[] ms = readColumn(file, 3);
        if (ms.length == 0) {
            return 0;
        }
        // the first step includes warm-up (native library, graph) cost: leave it out when there are others
        double s = 0;
        int from = ms.length > 1 ? 1 : 0;
        for (int i = from; i < ms.length; i++) {
            s += ms[i];
        }
        return s / (ms.length - from);
    }
}
