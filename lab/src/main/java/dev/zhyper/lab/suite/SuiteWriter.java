package dev.zhyper.lab.suite;

import dev.zhyper.core.data.TrainingExample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a generated suite as files: {@code train.jsonl}, {@code validation.jsonl}, {@code test.jsonl} (lines
 * {@code {"task","prompt","response"}}), {@code descriptions.train.json}, {@code descriptions.heldout.json},
 * {@code tasks.json} and {@code README.md}. The output is a pure function of the seed: same seed, same bytes.
 */
public final class SuiteWriter {
    private SuiteWriter() {}

    public static final List<String> FILES = List.of("train.jsonl", "validation.jsonl", "test.jsonl",
            "descriptions.train.json", "descriptions.heldout.json", "tasks.json", "README.md");

    public static void write(TaskSuite suite, Path dir) {
        try {
            Files.createDirectories(dir);
            write(dir.resolve("train.jsonl"), jsonl(suite.train()));
            write(dir.resolve("validation.jsonl"), jsonl(suite.validation()));
            write(dir.resolve("test.jsonl"), jsonl(suite.test()));
            write(dir.resolve("descriptions.train.json"), descriptionsJson(suite.trainDescriptions()));
            write(dir.resolve("descriptions.heldout.json"), descriptionsJson(suite.heldOutDescriptions()));
            write(dir.resolve("tasks.json"), tasksJson(suite));
            write(dir.resolve("README.md"), readme(suite));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the suite to " + dir, e);
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    static String jsonl(List<TrainingExample> examples) {
        StringBuilder b = new StringBuilder();
        for (TrainingExample e : examples) {
            b.append("{\"task\":").append(str(e.task())).append(",\"prompt\":").append(str(e.prompt()))
                    .append(",\"response\":").append(str(e.response())).append("}\n");
        }
        return b.toString();
    }

    static String descriptionsJson(Map<String, List<String>> d) {
        StringBuilder b = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, List<String>> e : d.entrySet()) {
            b.append("  ").append(str(e.getKey())).append(": [\n");
            List<String> v = e.getValue();
            for (int j = 0; j < v.size(); j++) {
                b.append("    ").append(str(v.get(j))).append(j + 1 < v.size() ? ",\n" : "\n");
            }
            b.append("  ]").append(++i < d.size() ? ",\n" : "\n");
        }
        return b.append("}\n").toString();
    }

    static String tasksJson(TaskSuite suite) {
        String in = exampleInput(suite);
        StringBuilder b = new StringBuilder("[\n");
        List<Task> tasks = TaskSuite.tasks();
        for (int i = 0; i < tasks.size(); i++) {
            Task t = tasks.get(i);
            b.append("  {\"name\": ").append(str(t.name()))
                    .append(", \"family\": ").append(str(t.family()))
                    .append(", \"param\": ").append(t.param() == null ? "null" : str(t.param()))
                    .append(", \"held_out\": ").append(t.heldOut())
                    .append(", \"steps\": ").append(strList(t.steps()))
                    .append(",\n   \"reachable_from\": ");
            Task.Reachability r = t.reachability();
            if (r == null) {
                b.append("null");
            } else {
                b.append("{\"kind\": ").append(str(r.kind()))
                        .append(", \"family\": ").append(str(r.family()))
                        .append(", \"param\": ").append(r.param() == null ? "null" : str(r.param()))
                        .append(", \"seen_params\": ").append(strList(r.seenParams()))
                        .append(", \"seen_tasks\": ").append(strList(r.seenTasks()))
                        .append(", \"why\": ").append(str(r.why())).append("}");
            }
            b.append(",\n   \"example\": {\"prompt\": ").append(str(in)).append(", \"response\": ")
                    .append(str(t.apply(in))).append("}}").append(i + 1 < tasks.size() ? ",\n" : "\n");
        }
        return b.append("]\n").toString();
    }

    /** The input shown as every task's example: the first common word of the pool's training part. */
    static String exampleInput(TaskSuite suite) {
        return suite.poolTrain().stream().filter(Words.COMMON::contains).filter(w -> w.length() >= 5).findFirst()
                .orElse(suite.poolTrain().get(0));
    }

    private static String strList(List<String> l) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < l.size(); i++) {
            b.append(i > 0 ? ", " : "").append(str(l.get(i)));
        }
        return b.append("]").toString();
    }

    static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    static String readme(TaskSuite suite) {
        List<Task> train = TaskSuite.trainingTasks();
        List<Task> held = TaskSuite.heldOutTasks();
        String in = exampleInput(suite);
        StringBuilder b = new StringBuilder();
        b.append("# Zhyper task-conditioning suite\n\n");
        b.append("Generated by `dev.zhyper.lab.suite.GenerateSuite` (seed ").append(suite.seed())
                .append("). Do not edit by hand: regenerate.\n\n");
        b.append("Every task maps a short lowercase input to a short output (at most ").append(TaskSuite.MAX_OUTPUT)
                .append(" characters). All tasks draw their inputs from ONE shared pool of ")
                .append(suite.pool().size()).append(" inputs (the ").append(Words.COMMON.size())
                .append(" common English words of 3 to 6 letters plus random lowercase strings of 3 to 6 letters with at least one vowel and one consonant), ")
                .append("so the input never reveals the task: the natural-language description is the only way to know what to do.\n\n");
        b.append("The pool is split once into disjoint parts shared by all tasks: ").append(TaskSuite.POOL_TRAIN)
                .append(" train, ").append(TaskSuite.POOL_VALIDATION).append(" validation and ")
                .append(TaskSuite.POOL_TEST).append(" test inputs. Each task samples its own ")
                .append(suite.trainInputs(train.get(0).name()).size()).append(" / ")
                .append(suite.validationInputs(train.get(0).name()).size()).append(" / ")
                .append(suite.testInputs(train.get(0).name()).size())
                .append(" train / validation / test inputs from them, so a test input never appears in any training example of any task.\n\n");
        b.append("## Counts\n\n");
        b.append("- training tasks: ").append(train.size()).append("\n");
        b.append("- held-out tasks: ").append(held.size()).append(" (only in `validation.jsonl` and `test.jsonl`, never in `train.jsonl`)\n");
        b.append("- examples: ").append(suite.train().size()).append(" train, ").append(suite.validation().size())
                .append(" validation, ").append(suite.test().size()).append(" test\n");
        b.append("- descriptions per task: ").append(TaskSuite.DESCRIPTIONS_TRAIN).append(" training + ")
                .append(TaskSuite.DESCRIPTIONS_HELD_OUT).append(" held-out (")
                .append(TaskSuite.tasks().size() * (TaskSuite.DESCRIPTIONS_TRAIN + TaskSuite.DESCRIPTIONS_HELD_OUT))
                .append(" in all, no two equal even ignoring case, across both sets and all tasks)\n\n");
        b.append("## Files\n\n");
        b.append("- `train.jsonl`, `validation.jsonl`, `test.jsonl`: one example a line, `{\"task\",\"prompt\",\"response\"}`; the prompt is the input only.\n");
        b.append("- `descriptions.train.json`, `descriptions.heldout.json`: task -> list of descriptions. Held-out descriptions test whether conditioning transfers to unseen phrasings; ")
                .append("for held-out tasks both lists are unseen during training. Descriptions mix short commands, requests, long explanations and indirect questions; ")
                .append("the held-out list takes an equal share of each style. They are built by a seeded grammar (`Descriptions`: sentence frames) from hand-written paraphrase parts (`PhraseBook`).\n");
        b.append("- `tasks.json`: per task its name, family, parameter, held_out flag, steps (for compositions), reachable_from (held-out tasks) and one example.\n\n");
        b.append("Alphabet of every prompt, response and description (`TaskSuite.ALPHABET`): lowercase and uppercase letters, digits, space and `.,:;'?!-`.\n\n");
        b.append("## Tasks\n\nExample input: `").append(in).append("`\n\n");
        b.append("| task | family | param | held out | example output | reachable from |\n|---|---|---|---|---|---|\n");
        for (Task t : TaskSuite.tasks()) {
            b.append("| ").append(t.name()).append(" | ").append(t.family()).append(" | ")
                    .append(t.param() == null ? (t.isComposition() ? String.join(" then ", t.steps()) : "") : t.param())
                    .append(" | ").append(t.heldOut() ? "yes" : "").append(" | `").append(t.apply(in)).append("` | ")
                    .append(t.reachability() == null ? "" : t.reachability().why()).append(" |\n");
        }
        b.append("\n## Regenerating\n\nFrom the repository root:\n\n```\n")
                .append("mvn -q -o -B -pl core compile\n")
                .append("java -cp core/target/classes dev.zhyper.lab.suite.GenerateSuite data/suite ").append(suite.seed())
                .append("\n```\n\n")
                .append("The same seed gives byte-identical files (checked by `SuiteTest`, which also checks these committed files against the generator).\n\n");
        b.append("## Pretraining text\n\n")
                .append("`PretrainCorpus` generates unconditioned text of the suite's domain on the fly: one line per example, ")
                .append("`<input> <output>` of a random TRAINING task on an input of the pool's train part (e.g. `")
                .append(in).append(" ").append(TaskSuite.task("reverse").apply(in))
                .append("`), with no descriptions and no task names. It is not committed; to write about 1.5 MB of it to `data/suite/pretrain.txt` (git-ignored):\n\n```\n")
                .append("java -cp core/target/classes dev.zhyper.lab.suite.GenerateSuite data/suite ").append(suite.seed())
                .append(" --pretrain 1500000\n```\n");
        return b.toString();
    }
}
