package dev.zhyper.cli.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.cli.common.CliException;
import dev.zhyper.cli.common.RuntimeOptions;
import dev.zhyper.lab.benchmark.BenchMode;
import dev.zhyper.lab.benchmark.Benchmark;
import dev.zhyper.lab.benchmark.BenchmarkException;
import dev.zhyper.lab.benchmark.BenchmarkRunner;
import dev.zhyper.lab.benchmark.Condition;
import dev.zhyper.lab.benchmark.CountrySplit;
import dev.zhyper.lab.benchmark.CulturalBench;
import dev.zhyper.lab.benchmark.ReferenceTask;
import dev.zhyper.lab.benchmark.Scorer;
import dev.zhyper.lab.benchmark.TaskBenchmark;
import dev.zhyper.core.engine.ZhyperEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code zhyper benchmark}: the paper's task-conditioning benchmarks (ARC, BoolQ, GSM8K, HellaSwag, OpenBookQA, PIQA,
 * WinoGrande, CulturalBench) from local files, with T2L-style prompts and string-match scoring, for the base model,
 * the description in the prompt, or a checkpoint conditioned on the description.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = {"Evaluate a model (optionally with an adapter checkpoint) on the paper's benchmarks from local "
                + "files: task metadata (<tasks-dir>/<task>/metadata.yaml), datasets (<data-dir>/<task>.jsonl) and "
                + "CulturalBench CSVs.",
                "Each benchmark is run with the last --descriptions descriptions of its metadata (unseen in "
                        + "training) and reported as mean ± std over them. Greedy decoding, string-match scoring."})
public final class BenchmarkCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Base model directory.")
    Path model;

    @Option(names = "--checkpoint", paramLabel = "CKPT",
            description = "Adapter checkpoint (Zhyper, T2L or MTL); required for --mode adapter. With --mode prepend "
                    + "it is applied as well (e.g. MTL + description in the prompt); with --mode none only an MTL "
                    + "checkpoint (no hypernetwork) is accepted.")
    Path checkpoint;

    @Option(names = "--mode", required = true, paramLabel = "MODE",
            description = "none (no description), prepend (description as system message) or adapter "
                    + "(checkpoint conditioned on the description).")
    String mode;

    @Option(names = "--tasks-dir", paramLabel = "DIR", description = "Directory of <task>/metadata.yaml files.")
    Path tasksDir;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory of <task>.jsonl dataset files.")
    Path dataDir;

    @Option(names = "--tasks", split = ",", paramLabel = "TASK",
            description = "Benchmarks to run: arc_challenge, arc_easy, boolq, gsm8k, hellaswag, openbookqa, piqa, "
                    + "winogrande (or others with --scorer).")
    List<String> tasks = new ArrayList<>();

    @Option(names = "--scorer", paramLabel = "TASK=SCORER",
            description = "Scorer of a task (letters, hellaswag, piqa, winogrande, boolean, gsm8k); overrides the "
                    + "one chosen by name.")
    Map<String, String> scorers = new LinkedHashMap<>();

    @Option(names = "--culturalbench-dir", paramLabel = "DIR",
            description = "Directory with CulturalBench-Easy.csv and/or CulturalBench-Hard.csv.")
    Path culturalBenchDir;

    @Option(names = "--unseen-countries", paramLabel = "FILE",
            description = "CulturalBench countries held out of training, one per line (default: a seeded split).")
    Path unseenCountries;

    @Option(names = "--unseen-fraction", defaultValue = "0.25",
            description = "Fraction of CulturalBench countries in the seeded unseen split (default ${DEFAULT-VALUE}).")
    double unseenFraction;

    @Option(names = "--split-seed", defaultValue = "0",
            description = "Seed of the CulturalBench country split (default ${DEFAULT-VALUE}).")
    long splitSeed;

    @Option(names = "--descriptions", defaultValue = "3",
            description = "Unseen descriptions per benchmark, from the end of its list (default ${DEFAULT-VALUE}).")
    int descriptions;

    @Option(names = "--nonsense", description = "Also run with nonsense descriptions ("
            + "'dogs;cats;bananas;', 'ggggggggggggggggggggg').")
    boolean nonsense;

    @Option(names = "--limit", defaultValue = "0",
            description = "At most N items (questions) per benchmark; 0: all (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--max-tokens", paramLabel = "N",
            description = "New tokens per answer (default: 16 for choices and true/false, 256 for GSM8K).")
    Integer maxTokens;

    @Option(names = "--batch", defaultValue = "8", description = "Generation batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Results JSON; per-item predictions go to <FILE minus .json>.predictions.jsonl.")
    Path out;

    @Override
    public Integer call() {
        BenchMode benchMode;
        try {
            benchMode = BenchMode.parse(mode);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        validate(benchMode);
        List<Benchmark> benchmarks;
        try {
            benchmarks = loadBenchmarks();
        } catch (BenchmarkException e) {
            throw new CliException(e.getMessage(), e);
        }
        PrintWriter err = spec.commandLine().getErr();
        for (Benchmark b : benchmarks) {
            if (b.skipped().count() > 0) {
                err.printf("warning: %s: %d record(s) skipped, the prompt template does not fit them (first: %s)%n",
                        b.name(), b.skipped().count(), b.skipped().firstReason());
            }
        }
        List<TaskResult> results = new ArrayList<>();
        try (ZhyperEngine engine = ZhyperEngine.open(model, checkpoint, runtime.modelOptions())) {
            if (benchMode == BenchMode.NONE && engine.adapter() != null
                    && engine.adapter().spec().method().usesHypernetwork()) {
                throw new CliException("--mode none with a " + engine.adapter().spec().method().id()
                        + " checkpoint: its adapter needs a description (use --mode adapter, or no --checkpoint for "
                        + "the base model)");
            }
            for (Benchmark b : benchmarks) {
                results.add(evaluate(engine, b, benchMode, err));
            }
        } catch (BenchmarkException e) {
            throw new CliException(e.getMessage(), e);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(table(results, benchMode));
        stdout.flush();
        if (out != null) {
            write(results, benchMode);
            err.println("wrote " + out + " and " + predictionsFile(out));
        }
        return 0;
    }

    private void validate(BenchMode benchMode) {
        if (benchMode == BenchMode.ADAPTER && checkpoint == null) {
            throw new CliException("--mode adapter needs --checkpoint (the adapter to condition on the description)");
        }
        if (benchMode == BenchMode.NONE && nonsense) {
            throw new CliException("--nonsense needs a mode that uses the description (prepend or adapter)");
        }
        if (tasks.isEmpty() && culturalBenchDir == null) {
            throw new CliException("nothing to run: give --tasks and/or --culturalbench-dir");
        }
        if (!tasks.isEmpty() && (tasksDir == null || dataDir == null)) {
            throw new CliException("--tasks needs --tasks-dir (task metadata) and --data-dir (JSONL datasets)");
        }
        if (benchMode != BenchMode.NONE && descriptions < 1) {
            throw new CliException("--descriptions must be at least 1 for mode " + benchMode.id());
        }
        if (batch < 1) {
            throw new CliException("--batch must be at least 1");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new CliException("--max-tokens must be at least 1");
        }
        if (limit < 0) {
            throw new CliException("--limit must be >= 0");
        }
        for (String s : scorers.values()) {
            try {
                Scorer.parse(s);
            } catch (IllegalArgumentException e) {
                throw new CliException("--scorer: " + e.getMessage());
            }
        }
    }

    private List<Benchmark> loadBenchmarks() {
        List<Benchmark> out = new ArrayList<>();
        for (String task : new LinkedHashSet<>(tasks)) {
            String name = task.strip();
            Scorer scorer = scorers.containsKey(name) ? Scorer.parse(scorers.get(name)) : Scorer.forTask(name);
            ReferenceTask t = ReferenceTask.load(tasksDir, name);
            out.add(TaskBenchmark.load(t, scorer, dataDir.resolve(name + ".jsonl"), limit));
        }
        if (culturalBenchDir != null) {
            out.addAll(culturalBench());
        }
        return out;
    }

    private List<Benchmark> culturalBench() {
        Map<CulturalBench.Variant, Path> files = new LinkedHashMap<>();
        for (CulturalBench.Variant v : CulturalBench.Variant.values()) {
            Path f = culturalBenchDir.resolve(v.fileName());
            if (Files.isRegularFile(f)) {
                files.put(v, f);
            }
        }
        if (files.isEmpty()) {
            throw new BenchmarkException(culturalBenchDir + ": neither " + CulturalBench.Variant.EASY.fileName()
                    + " nor " + CulturalBench.Variant.HARD.fileName() + " found");
        }
        Map<CulturalBench.Variant, List<CulturalBench.Row>> rows = new LinkedHashMap<>();
        LinkedHashSet<String> countries = new LinkedHashSet<>();
        files.forEach((v, f) -> {
            List<CulturalBench.Row> r = CulturalBench.read(v, f, limit);
            rows.put(v, r);
            countries.addAll(CulturalBench.countries(r));
        });
        CountrySplit split = unseenCountries != null ? CountrySplit.fromFile(unseenCountries, countries)
                : CountrySplit.bySeed(countries, splitSeed, unseenFraction);
        List<Benchmark> out = new ArrayList<>();
        rows.forEach((v, r) -> out.add(new CulturalBench(v, files.get(v), r, split)));
        return out;
    }

    /** One benchmark's runs. */
    private record TaskResult(Benchmark benchmark, List<BenchmarkRunner.Run> runs) {
        List<BenchmarkRunner.Run> of(Condition.Kind kind) {
            return runs.stream().filter(r -> r.condition().kind() == kind).toList();
        }

        /** Runs that make up the headline number: the descriptions, or the single run without one. */
        List<BenchmarkRunner.Run> headline() {
            return runs.stream().filter(r -> r.condition().kind() != Condition.Kind.NONSENSE).toList();
        }
    }

    private TaskResult evaluate(ZhyperEngine engine, Benchmark b, BenchMode benchMode, PrintWriter err) {
        List<Condition> conditions = new ArrayList<>();
        if (benchMode == BenchMode.NONE) {
            conditions.add(Condition.NO_DESCRIPTION);
        } else {
            b.evaluationDescriptions(descriptions).forEach(d -> conditions.add(
                    new Condition(Condition.Kind.DESCRIPTION, d)));
            if (nonsense) {
                Condition.NONSENSE.forEach(d -> conditions.add(new Condition(Condition.Kind.NONSENSE, d)));
            }
        }
        int tokens = maxTokens != null ? maxTokens : b.defaultMaxTokens();
        List<BenchmarkRunner.Run> runs = new ArrayList<>();
        for (int i = 0; i < conditions.size(); i++) {
            Condition c = conditions.get(i);
            long t0 = System.nanoTime();
            BenchmarkRunner.Run run = BenchmarkRunner.run(engine, b, c, benchMode, batch, tokens, done -> { });
            err.printf("%s [%d/%d] %s: %.1f%% of %d (%.1fs)%n", b.name(), i + 1, conditions.size(),
                    abbreviate(c.label(), 60), 100 * run.score().accuracy(), run.score().n(),
                    (System.nanoTime() - t0) / 1e9);
            err.flush();
            runs.add(run);
        }
        return new TaskResult(b, runs);
    }

    private static BenchmarkRunner.Stats stats(List<BenchmarkRunner.Run> runs, String subset) {
        List<Double> acc = new ArrayList<>();
        for (BenchmarkRunner.Run r : runs) {
            BenchmarkRunner.Score s = subset == null ? r.score() : r.subsets().get(subset);
            if (s != null) {
                acc.add(s.accuracy());
            }
        }
        return BenchmarkRunner.Stats.of(acc);
    }

    private static int n(List<BenchmarkRunner.Run> runs, String subset) {
        if (runs.isEmpty()) {
            return 0;
        }
        BenchmarkRunner.Score s = subset == null ? runs.get(0).score() : runs.get(0).subsets().get(subset);
        return s == null ? 0 : s.n();
    }

    /** Subsets reported separately (CulturalBench: seen, unseen), in a stable order. */
    private static List<String> subsets(TaskResult r) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (BenchmarkRunner.Run run : r.runs()) {
            out.addAll(run.subsets().keySet());
        }
        out.remove(dev.zhyper.lab.benchmark.BenchItem.ALL);
        return out.stream().sorted().toList();
    }

    String table(List<TaskResult> results, BenchMode benchMode) {
        StringBuilder sb = new StringBuilder();
        sb.append("| task | mode | condition | n | accuracy (%) |\n");
        sb.append("|---|---|---|---:|---:|\n");
        for (TaskResult r : results) {
            List<BenchmarkRunner.Run> head = r.headline();
            String cond = benchMode == BenchMode.NONE ? "none" : head.size() + " descriptions";
            row(sb, r.benchmark().name(), benchMode, cond, n(head, null), stats(head, null));
            for (String subset : subsets(r)) {
                row(sb, r.benchmark().name() + " (" + subset + ")", benchMode, cond, n(head, subset),
                        stats(head, subset));
            }
            for (BenchmarkRunner.Run run : r.of(Condition.Kind.NONSENSE)) {
                row(sb, r.benchmark().name(), benchMode, "nonsense: `" + run.condition().text() + "`",
                        run.score().n(), BenchmarkRunner.Stats.of(List.of(run.score().accuracy())));
            }
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String task, BenchMode m, String condition, int n,
                            BenchmarkRunner.Stats s) {
        String acc = s.count() == 0 ? "-" : s.count() == 1 ? String.format(Locale.ROOT, "%.1f", 100 * s.mean())
                : String.format(Locale.ROOT, "%.1f ± %.1f", 100 * s.mean(), 100 * s.std());
        sb.append("| ").append(task).append(" | ").append(m.id()).append(" | ").append(condition).append(" | ")
                .append(n).append(" | ").append(acc).append(" |\n");
    }

    static Path predictionsFile(Path out) {
        String name = out.getFileName().toString();
        String stem = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return out.resolveSibling(stem + ".predictions.jsonl");
    }

    private void write(List<TaskResult> results, BenchMode benchMode) {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("model", model.toString());
        root.put("checkpoint", checkpoint == null ? null : checkpoint.toString());
        root.put("mode", benchMode.id());
        root.put("limit", limit);
        if (maxTokens != null) {
            root.put("max_tokens", maxTokens);
        }
        root.put("predictions", predictionsFile(out).getFileName().toString());
        ArrayNode tasksNode = root.putArray("tasks");
        for (TaskResult r : results) {
            ObjectNode t = tasksNode.addObject();
            Benchmark b = r.benchmark();
            t.put("task", b.name());
            t.put("scorer", b.scorerId());
            t.put("max_tokens", maxTokens != null ? maxTokens : b.defaultMaxTokens());
            t.put("skipped", b.skipped().count());
            if (b.skipped().firstReason() != null) {
                t.put("skipped_first_reason", b.skipped().firstReason());
            }
            List<BenchmarkRunner.Run> head = r.headline();
            BenchmarkRunner.Stats s = stats(head, null);
            t.put("n", n(head, null));
            t.put("accuracy_mean", s.mean());
            t.put("accuracy_std", s.std());
            t.put("runs_in_mean", s.count());
            ObjectNode subs = t.putObject("subsets");
            for (String subset : subsets(r)) {
                BenchmarkRunner.Stats ss = stats(head, subset);
                ObjectNode o = subs.putObject(subset);
                o.put("n", n(head, subset));
                o.put("accuracy_mean", ss.mean());
                o.put("accuracy_std", ss.std());
            }
            ArrayNode runs = t.putArray("runs");
            for (BenchmarkRunner.Run run : r.runs()) {
                ObjectNode o = runs.addObject();
                o.put("kind", run.condition().kind().name().toLowerCase(Locale.ROOT));
                o.put("description", run.condition().text());
                o.put("n", run.score().n());
                o.put("correct", run.score().correct());
                o.put("accuracy", run.score().accuracy());
                o.put("generations", run.predictions().size());
                ObjectNode rs = o.putObject("subsets");
                run.subsets().forEach((k, v) -> {
                    if (!k.equals(dev.zhyper.lab.benchmark.BenchItem.ALL)) {
                        rs.putObject(k).put("n", v.n()).put("correct", v.correct()).put("accuracy", v.accuracy());
                    }
                });
            }
        }
        try {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            json.writeValue(out.toFile(), root);
            ObjectMapper line = new ObjectMapper();
            try (BufferedWriter w = Files.newBufferedWriter(predictionsFile(out), StandardCharsets.UTF_8)) {
                for (TaskResult r : results) {
                    for (BenchmarkRunner.Run run : r.runs()) {
                        for (BenchmarkRunner.Prediction p : run.predictions()) {
                            ObjectNode o = line.createObjectNode();
                            o.put("task", r.benchmark().name());
                            o.put("kind", run.condition().kind().name().toLowerCase(Locale.ROOT));
                            o.put("description", run.condition().text());
                            o.put("id", p.item().id());
                            o.put("group", p.item().group());
                            o.put("subset", p.item().subset());
                            o.put("output", p.output());
                            o.put("predicted", p.judgement().predicted());
                            o.put("expected", p.judgement().expected());
                            o.put("correct", p.judgement().correct());
                            w.write(line.writeValueAsString(o));
                            w.write('\n');
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
