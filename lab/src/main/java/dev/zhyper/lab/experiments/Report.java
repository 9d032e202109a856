package dev.zhyper.lab.experiments;

import dev.zhyper.core.hyper.HyperSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Turns the results of a grid into the paper-style table ({@code table.md}, {@code table.csv}), the plots
 * ({@code loss.svg}, {@code pareto.svg}, {@code z-pca.svg}) and {@code analysis.md}.
 */
public final class Report {
    public static final List<String> FILES = List.of("table.md", "table.csv", "analysis.md", "loss.svg",
            "pareto.svg", "z-pca.svg");

    /** Mean and sample standard deviation over seeds of one (method, rank). */
    public record Row(ExperimentMethod method, int rank, long params, long bytes, int seeds, double seenMean,
                      double seenStd, Double heldMean, Double heldStd, double msPerStep, double runSeconds,
                      Double seenSim, Double heldSim, Double trainDescMean, Double trainDescStd,
                      Double tailLoss) {}

    private final ExperimentPlan plan;
    private final SuiteData suite;
    private final List<RunResult> results;
    private final List<Row> rows = new ArrayList<>();

    public Report(ExperimentPlan plan, ExperimentRunner runner, List<RunResult> results) {
        this.plan = plan;
        this.suite = runner.suite();
        this.results = results;
        for (ExperimentMethod m : plan.methods()) {
            List<Integer> ranks = m.trains() ? plan.ranks() : List.of(0);
            for (int r : ranks) {
                List<RunResult> rs = of(m, r);
                if (rs.isEmpty()) {
                    // planned but not run (yet): keep the row, with the sizes, so the table shows the gap
                    rows.add(new Row(m, r, runner.trainableParams(m, r), runner.bytesPerContext(m, r), 0, Double.NaN,
                            Double.NaN, null, null, 0, 0, null, null, null, null, null));
                    continue;
                }
                double[] seen = rs.stream().mapToDouble(RunResult::seenAccuracy).toArray();
                double[] held = rs.stream().map(RunResult::heldOutAccuracy).filter(Objects::nonNull)
                        .mapToDouble(Double::doubleValue).toArray();
                rows.add(new Row(m, r, rs.get(0).trainableParams(), rs.get(0).bytesPerContext(), rs.size(),
                        mean(seen), std(seen), held.length == 0 ? null : mean(held),
                        held.length == 0 ? null : std(held),
                        rs.stream().mapToDouble(RunResult::msPerStep).average().orElse(0),
                        rs.stream().mapToDouble(x -> x.trainSeconds() + x.evalSeconds()).average().orElse(0),
                        meanOrNull(rs.stream().map(RunResult::seenCharSimilarity).toList()),
                        meanOrNull(rs.stream().map(RunResult::heldOutCharSimilarity).toList()),
                        meanOrNull(rs.stream().map(RunResult::seenTrainDescAccuracy).toList()),
                        stdOrNull(rs.stream().map(RunResult::seenTrainDescAccuracy).toList()),
                        meanOrNull(rs.stream().map(RunResult::tailLoss).toList())));
            }
        }
    }

    public List<Row> rows() { return rows; }

    private List<RunResult> of(ExperimentMethod m, int rank) {
        return results.stream().filter(r -> r.method().equals(m.name()) && (!m.trains() || r.rank() == rank))
                .toList();
    }

    /** Writes every report file into {@code dir} (created if needed). */
    public void write(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("table.md"), tableMd());
            Files.writeString(dir.resolve("table.csv"), tableCsv());
            Files.writeString(dir.resolve("analysis.md"), analysisMd());
            Files.writeString(dir.resolve("loss.svg"), lossSvg());
            Files.writeString(dir.resolve("pareto.svg"), paretoSvg());
            Files.writeString(dir.resolve("z-pca.svg"), zPcaSvg());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the report files from {@code from} to {@code to}. */
    public static void copy(Path from, Path to) {
        try {
            Files.createDirectories(to);
            for (String f : FILES) {
                if (Files.exists(from.resolve(f))) {
                    Files.copy(from.resolve(f), to.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- table

    public String tableMd() {
        StringBuilder sb = new StringBuilder("# Zhyper comparison at tiny scale\n\n");
        sb.append(String.format(Locale.ROOT, "Base model `%s`; suite `%s`; adapted %s; %d steps, batch %d, lr %s, "
                        + "label smoothing %s, NEFTune α %s, weight decay %s; %d test inputs per task; seeds %s. "
                        + "Accuracy: exact match (%%), mean ± std over seeds.%n%n",
                plan.modelDir(), plan.suiteDir(), plan.targets().stream().map(t -> t.hfName()).toList(), plan.steps(),
                plan.batch(), plan.lr(), plan.training().labelSmoothing(), plan.training().neftuneAlpha(),
                plan.training().weightDecay(), plan.evalPerTask(), plan.seeds()));
        var recipe = plan.training().recipe();
        HyperSpec h = plan.hyper() == null ? HyperSpec.defaults(1) : plan.hyper();
        sb.append(String.format(Locale.ROOT, "Recipe of the rows with a hypernetwork: shared A, B at lr × %s, L2 %s on "
                        + "the generated factors, %s description embeddings%s, trunk task %d / hidden %d / out %d / %d "
                        + "block(s), z parametrisation %s.%n%n", recipe.sharedLrRatio(), recipe.factorL2(),
                plan.embedder(), h.centred() ? " (centred)" : "", h.taskDim(), h.hiddenDim(), h.outDim(),
                h.residualBlocks(),
                plan.zParam().name().toLowerCase(Locale.ROOT).replace('_', '-')));
        sb.append("Seen tasks are the 38 training tasks asked with **held-out descriptions**; held-out tasks are the "
                + "8 never-trained tasks with their held-out descriptions. Bytes/context: what must be stored or sent "
                + "per description (the hypernetwork's fp32 output; 0 for one shared LoRA). Char-sim: mean "
                + "1 − Levenshtein/max length between output and answer (%), partial credit. Training desc.: the seen "
                + "tasks asked with descriptions the method was trained on (beside the held-out ones, it separates "
                + "fitting the description map from generalising it to new phrasings). Train loss: mean over the "
                + "last " + RunResult.TAIL_STEPS + " steps.\n\n");
        String head = "| method | r | trainable params | bytes/context | seen tasks (held-out desc.) | held-out tasks "
                + "| seen tasks (training desc.) | train loss | seeds | seen char-sim | held-out char-sim |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n";
        sb.append(head);
        for (Row r : rows) {
            if (!r.method().ablation()) sb.append(mdRow(r));
        }
        if (rows.stream().anyMatch(r -> r.method().ablation())) {
            sb.append("\n**Layer ablation** (zhyper-diag on every second layer, `0::2`)\n\n").append(head);
            for (Row r : rows) {
                if (r.method().ablation() || r.method().name().equals("zhyper-diag")) sb.append(mdRow(r));
            }
        }
        sb.append("\nTimings (mean per run): ");
        List<String> t = new ArrayList<>();
        for (Row r : rows) {
            if (r.seeds() == 0) continue;
            t.add(String.format(Locale.ROOT, "%s%s %.0f ms/step, %.0f s", r.method().name(),
                    r.method().trains() ? " r" + r.rank() : "", r.msPerStep(), r.runSeconds()));
        }
        sb.append(String.join("; ", t)).append(".\n");
        return sb.toString();
    }

    private static String mdRow(Row r) {
        if (r.seeds() == 0) {
            return String.format(Locale.ROOT, "| %s | %s | %,d | %,d | not run | not run | – | – | 0 | – | – |%n",
                    r.method().name(), r.method().trains() ? String.valueOf(r.rank()) : "–", r.params(), r.bytes());
        }
        return String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %s | %s | %s | %s | %d | %s | %s |%n",
                r.method().name(), r.method().trains() ? String.valueOf(r.rank()) : "–", r.params(), r.bytes(),
                pm(r.seenMean(), r.seenStd(), r.seeds()),
                r.heldMean() == null ? "n/a (no task id)" : pm(r.heldMean(), r.heldStd(), r.seeds()),
                r.trainDescMean() == null ? "–" : pm(r.trainDescMean(), r.trainDescStd(), r.seeds()),
                r.tailLoss() == null ? "–" : String.format(Locale.ROOT, "%.3f", r.tailLoss()), r.seeds(),
                sim(r.seenSim()), sim(r.heldSim()));
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String optional(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String sim(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.1f", 100 * v);
    }

    private static String pm(double m, double s, int n) {
        return n > 1 ? String.format(Locale.ROOT, "%.1f ± %.1f", 100 * m, 100 * s)
                : String.format(Locale.ROOT, "%.1f", 100 * m);
    }

    public String tableCsv() {
        StringBuilder sb = new StringBuilder("method,rank,trainable_params,bytes_per_context,seen_acc_mean,"
                + "seen_acc_std,heldout_acc_mean,heldout_acc_std,seeds,ms_per_step,seconds_per_run,ablation,"
                + "seen_char_sim,heldout_char_sim,seen_train_desc_acc_mean,seen_train_desc_acc_std,train_loss_tail\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%s,%s,%s,%s,%d,%.1f,%.1f,%b,%s,%s,%s,%s,%s%n",
                    r.method().name(),
                    r.rank(), r.params(), r.bytes(), num(r.seenMean()), num(r.seenStd()),
                    optional(r.heldMean()), optional(r.heldStd()), r.seeds(),
                    r.msPerStep(), r.runSeconds(), r.method().ablation(), optional(r.seenSim()), optional(r.heldSim()),
                    optional(r.trainDescMean()), optional(r.trainDescStd()), optional(r.tailLoss())));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- analysis

    public String analysisMd() {
        int rank = plan.maxRank();
        StringBuilder sb = new StringBuilder("# Analysis (tiny-scale comparison)\n\n");
        sb.append(String.format(Locale.ROOT, "Numbers below are measured (r = %d unless stated, mean over seeds "
                + "%s); the prose around them is a skeleton to be completed by a human.%n%n", rank, plan.seeds()));
        sb.append("## Headline\n\n");
        Row base = find("base", 0), mtl = find("mtl", rank), pre = find("prepend", rank), diag = find("zhyper-diag",
                rank), sq = find("zhyper-square", rank), t2l = find("t2l", rank);
        for (Row r : new Row[] {base, pre, mtl, t2l, diag, sq}) {
            if (r == null) continue;
            sb.append(String.format(Locale.ROOT, "- %s: seen tasks %.1f%% (char-sim %s), held-out tasks %s "
                            + "(char-sim %s), %,d trainable parameters, %,d bytes per context.%n", label(r),
                    100 * r.seenMean(), sim(r.seenSim()),
                    r.heldMean() == null ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * r.heldMean()),
                    sim(r.heldSim()), r.params(), r.bytes()));
        }
        if (diag != null && mtl != null) {
            sb.append(String.format(Locale.ROOT, "%nConditioning through z vs one shared LoRA (seen tasks): "
                    + "%+.1f points (zhyper-diag − mtl). ", 100 * (diag.seenMean() - mtl.seenMean())));
        }
        if (diag != null && t2l != null && diag.bytes() > 0) {
            sb.append(String.format(Locale.ROOT, "T2L sends %.0f× more bytes per context than zhyper-diag "
                    + "(%,d vs %,d) for %+.1f points on seen tasks.", (double) t2l.bytes() / diag.bytes(), t2l.bytes(),
                    diag.bytes(), 100 * (t2l.seenMean() - diag.seenMean())));
        }
        sb.append("\n\nHow to read this: compare each conditioned method with mtl (same data, no description) and with "
                + "zhyper-ohe (told the task id, an upper bound for what the adapter can execute); the gap between them is "
                + "what the description contributes.\n\n");
        sb.append("## Which held-out tasks transfer\n\nPer held-out task: exact match % / character similarity %, "
                + "grouped by how the task is reachable from the training tasks (tasks.json `reachable_from.kind`)."
                + "\n\n");
        List<ExperimentMethod> ms = plan.methods().stream().filter(m -> !m.oneHot() && !m.ablation()).toList();
        StringBuilder head = new StringBuilder("| kind | task | how it is reachable |");
        StringBuilder sep = new StringBuilder("|---|---|---|");
        for (ExperimentMethod m : ms) {
            head.append(' ').append(m.name()).append(" |");
            sep.append("---|");
        }
        sb.append(head).append('\n').append(sep).append('\n');
        Map<String, List<SuiteData.TaskInfo>> byKind = new LinkedHashMap<>();
        for (SuiteData.TaskInfo t : suite.tasks()) {
            if (t.heldOut()) byKind.computeIfAbsent(String.valueOf(t.reachKind()), k -> new ArrayList<>()).add(t);
        }
        for (var e : byKind.entrySet()) {
            for (SuiteData.TaskInfo t : e.getValue()) {
                sb.append("| ").append(e.getKey()).append(" | ").append(t.name()).append(" | ")
                        .append(t.why() == null ? "" : t.why()).append(" |");
                for (ExperimentMethod m : ms) {
                    sb.append(' ').append(fmtAcc(perTask(m, m.trains() ? rank : 0, t.name()))).append(" / ")
                            .append(fmtAcc(perTaskSim(m, m.trains() ? rank : 0, t.name()))).append(" |");
                }
                sb.append('\n');
            }
            sb.append("| **").append(e.getKey()).append(" (mean)** | | |");
            for (ExperimentMethod m : ms) {
                double s = 0, s2 = 0;
                int n = 0, n2 = 0;
                for (SuiteData.TaskInfo t : e.getValue()) {
                    Double v = perTask(m, m.trains() ? rank : 0, t.name());
                    if (v != null) {
                        s += v;
                        n++;
                    }
                    Double w = perTaskSim(m, m.trains() ? rank : 0, t.name());
                    if (w != null) {
                        s2 += w;
                        n2++;
                    }
                }
                sb.append(" **").append(n == 0 ? "–" : fmtAcc(s / n)).append(" / ")
                        .append(n2 == 0 ? "–" : fmtAcc(s2 / n2)).append("** |");
            }
            sb.append('\n');
        }
        sb.append("\nHow to read this: interpolated parameters (between seen values) are the easiest transfer, extrapolated "
                + "ones harder, compositions of two seen operations the hardest; compare each group with base.\n\n");
        sb.append("## Seen tasks with held-out descriptions, per task (exact match % / character similarity %)"
                + "\n\n| task |");
        for (ExperimentMethod m : ms) sb.append(' ').append(m.name()).append(" |");
        sb.append("\n|---|");
        for (int i = 0; i < ms.size(); i++) sb.append("---|");
        sb.append('\n');
        for (String task : suite.seenTasks()) {
            sb.append("| ").append(task).append(" |");
            for (ExperimentMethod m : ms) {
                sb.append(' ').append(fmtAcc(perTask(m, m.trains() ? rank : 0, task))).append(" / ")
                        .append(fmtAcc(perTaskSim(m, m.trains() ? rank : 0, task))).append(" |");
            }
            sb.append('\n');
        }
        sb.append("\n## Plots\n\n- `loss.svg`: training loss (smoothed), r = ").append(rank)
                .append(", first seed.\n- `pareto.svg`: seen-task accuracy vs trainable parameters.\n")
                .append("- `z-pca.svg`: 2-D PCA of zhyper-diag z vectors (r = ").append(rank)
                .append(", first seed) for training and held-out descriptions, coloured by task.\n");
        return sb.toString();
    }

    private Row find(String name, int rank) {
        return rows.stream().filter(r -> r.seeds() > 0 && r.method().name().equals(name)
                && (!r.method().trains() || r.rank() == rank)).findFirst().orElse(null);
    }

    private static String label(Row r) { return r.method().name() + (r.method().trains() ? " r" + r.rank() : ""); }

    private Double perTask(ExperimentMethod m, int rank, String task) {
        double[] v = of(m, rank).stream().map(r -> r.perTask().get(task)).filter(Objects::nonNull)
                .mapToDouble(Double::doubleValue).toArray();
        return v.length == 0 ? null : mean(v);
    }

    private Double perTaskSim(ExperimentMethod m, int rank, String task) {
        double[] v = of(m, rank).stream().map(r -> r.perTaskCharSimilarity() == null ? null
                : r.perTaskCharSimilarity().get(task)).filter(Objects::nonNull).mapToDouble(Double::doubleValue)
                .toArray();
        return v.length == 0 ? null : mean(v);
    }

    private static String fmtAcc(Double v) { return v == null ? "–" : String.format(Locale.ROOT, "%.0f", 100 * v); }

    // ---------------------------------------------------------------- plots

    public String lossSvg() {
        int rank = plan.maxRank();
        long seed = plan.seeds().get(0);
        SvgPlot p = new SvgPlot("Training loss (EMA-smoothed), r = " + rank + ", seed " + seed, "step",
                "training loss (label-smoothed CE)", false);
        int i = 0;
        List<ExperimentMethod> trained = plan.methods().stream().filter(ExperimentMethod::trains).toList();
        for (ExperimentMethod m : trained) {
            Path f = plan.out().resolve("runs").resolve(m.runId(rank, seed)).resolve(ExperimentRunner.LOSS_CSV);
            double[] steps = ExperimentRunner.readColumn(f, 0);
            double[] loss = ExperimentRunner.readLosses(f);
            if (loss.length == 0) {
                i++;
                continue;
            }
            double a = Math.min(1, 20.0 / Math.max(20, loss.length)), ema = loss[0];
            double[] sm = new double[loss.length];
            for (int k = 0; k < loss.length; k++) {
                ema = k == 0 ? loss[0] : (1 - a) * ema + a * loss[k];
                sm[k] = ema;
            }
            p.add(new SvgPlot.Series(m.name(), SvgPlot.color(i++, Math.max(10, trained.size())), steps, sm, "line",
                    null));
        }
        return p.render();
    }

    public String paretoSvg() {
        // exact match is the metric; when it is 0 everywhere (tiny budgets) plot character similarity instead
        boolean exact = rows.stream().anyMatch(r -> r.params() > 0 && r.seeds() > 0 && r.seenMean() > 0);
        String metric = exact ? "exact match" : "character similarity";
        SvgPlot p = new SvgPlot("Seen tasks (held-out descriptions): " + metric + " vs trainable parameters",
                "trainable parameters (log scale)", "seen-task " + metric + " (%)", true);
        int i = 0;
        double top = 0;
        for (ExperimentMethod m : plan.methods()) {
            List<Row> rs = rows.stream().filter(r -> r.method() == m && r.params() > 0 && r.seeds() > 0).toList();
            if (rs.isEmpty()) {
                i++;
                continue;
            }
            double[] x = rs.stream().mapToDouble(Row::params).toArray();
            double[] y = rs.stream().mapToDouble(r -> 100 * (exact ? r.seenMean()
                    : r.seenSim() == null ? Double.NaN : r.seenSim())).toArray();
            for (double v : y) if (Double.isFinite(v)) top = Math.max(top, v);
            String[] l = rs.stream().map(r -> "r" + r.rank()).toArray(String[]::new);
            p.add(new SvgPlot.Series(m.name(), SvgPlot.color(i++, 10), x, y, m.ablation() ? "triangle" : "circle", l));
        }
        p.yRange(0, Math.min(100, Math.max(10, Math.ceil(top * 1.15 / 10) * 10)));
        String svg = p.render();
        Row base = find("base", 0);
        if (base != null) {
            Double b = exact ? Double.valueOf(base.seenMean()) : base.seenSim();
            svg = svg.replace("</svg>", String.format(Locale.ROOT, "<text x=\"80\" y=\"58\" font-size=\"11\" "
                    + "fill=\"#555\">base model (0 trainable parameters): %s%%</text>%n</svg>",
                    b == null ? "–" : String.format(Locale.ROOT, "%.1f", 100 * b)));
        }
        return svg;
    }

    public String zPcaSvg() {
        int rank = plan.maxRank();
        long seed = plan.seeds().get(0);
        Path f = plan.out().resolve("runs").resolve(ExperimentMethod.byName("zhyper-diag").runId(rank, seed))
                .resolve(ExperimentRunner.Z_CSV);
        SvgPlot p = new SvgPlot("zhyper-diag z(c), r = " + rank + ": 2-D PCA (● training desc., ▲ held-out desc. "
                + "of seen tasks, ■ held-out tasks)", "PC 1", "PC 2", false).size(1100, 640, 380, 2);
        if (!Files.exists(f)) {
            return p.render();
        }
        List<String> tasks = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        List<double[]> z = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(f);
            for (String line : lines.subList(1, lines.size())) {
                String[] parts = line.split(",");
                tasks.add(parts[0]);
                kinds.add(parts[1]);
                double[] v = new double[parts.length - 2];
                for (int k = 2; k < parts.length; k++) v[k - 2] = Double.parseDouble(parts[k]);
                z.add(v);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (z.size() < 3) return p.render();
        double[][] proj = Pca.project(z.toArray(double[][]::new), 2);
        List<String> order = suite.tasks().stream().map(SuiteData.TaskInfo::name).toList();
        for (int ti = 0; ti < order.size(); ti++) {
            String task = order.get(ti);
            String color = SvgPlot.color(ti, order.size());
            boolean first = true;
            for (String kind : List.of("train-desc", "heldout-desc", "heldout-task")) {
                List<double[]> pts = new ArrayList<>();
                for (int k = 0; k < tasks.size(); k++) {
                    if (tasks.get(k).equals(task) && kinds.get(k).equals(kind)) pts.add(proj[k]);
                }
                if (pts.isEmpty()) continue;
                String marker = switch (kind) {
                    case "train-desc" -> "circle";
                    case "heldout-desc" -> "triangle";
                    default -> "square";
                };
                p.add(new SvgPlot.Series(first ? task + (kind.equals("heldout-task") ? " (held out)" : "") : null,
                        color, pts.stream().mapToDouble(v -> v[0]).toArray(),
                        pts.stream().mapToDouble(v -> v[1]).toArray(), marker, null));
                first = false;
            }
        }
        return p.render();
    }

    // ---------------------------------------------------------------- stats

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    static Double meanOrNull(List<Double> v) {
        double[] a = v.stream().filter(Objects::nonNull).mapToDouble(Double::doubleValue).toArray();
        return a.length == 0 ? null : mean(a);
    }

    static Double stdOrNull(List<Double> v) {
        double[] a = v.stream().filter(Objects::nonNull).mapToDouble(Double::doubleValue).toArray();
        return a.length == 0 ? null : std(a);
    }

    /** Sample standard deviation (n − 1); 0 for a single value. */
    static double std(double[] v) {
        if (v.length < 2) return 0;
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.length - 1));
    }
}
