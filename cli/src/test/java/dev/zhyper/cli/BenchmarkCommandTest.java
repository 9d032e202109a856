package dev.zhyper.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.model.random.RandomModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code zhyper benchmark} end to end on a tiny random model with fixture metadata, JSONL and CSV files. */
class BenchmarkCommandTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path ckpt;
    static Path tasks;
    static Path data;
    static Path cultural;

    /** The last three are labels of the tiny one-hot checkpoint, so mode adapter can condition on them. */
    static final String DESCRIPTIONS = "descriptions:\n- make it upper case\n- reverse the word\n- upper\n- reverse\n";

    @BeforeAll
    static void setUp() throws Exception {
        // TinyCheckpoint's model, with room for the fixed CulturalBench instructions (1024 positions)
        model = RandomModels.writeLlama(tmp.resolve("tiny"), new RandomModels.LlamaShape(0, 32, 64, 2, 4, 2, 1024),
                TinyCheckpoint.ALPHABET, 3);
        ckpt = TinyCheckpoint.checkpoint(tmp.resolve("ckpt"), model, AdapterMethod.DIAG);
        tasks = tmp.resolve("tasks");
        task("arc_easy", "user_prompt_template: \"q: {question} {choices[label][0]}: {choices[text][0]} "
                + "{choices[label][1]}: {choices[text][1]}\"\nresponse_field: answerKey\n");
        task("boolq", "user_prompt_template: '{passage} q: {question}'\nresponse_field: answer\n");
        task("gsm8k", "user_prompt_template: 'q: {question}'\nresponse_field: answer\n"
                + "assistant_prefill: \"think \"\n");
        task("hellaswag", "user_prompt_template: '{ctx} 0: {endings[0]} 1: {endings[1]}'\nresponse_field: label\n");
        data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("arc_easy.jsonl"),
                "{\"question\":\"sky\",\"choices\":{\"text\":[\"blue\",\"red\"],\"label\":[\"A\",\"B\"]},\"answerKey\":\"A\"}\n"
                + "{\"question\":\"sun\",\"choices\":{\"text\":[\"hot\",\"cold\"],\"label\":[\"A\",\"B\"]},\"answerKey\":\"A\"}\n"
                + "{\"question\":\"ice\",\"choices\":{\"text\":[\"hot\",\"cold\"],\"label\":[\"A\",\"B\"]},\"answerKey\":\"B\"}\n");
        Files.writeString(data.resolve("boolq.jsonl"),
                "{\"passage\":\"cats purr\",\"question\":\"do cats purr\",\"answer\":true}\n"
                + "{\"passage\":\"fish fly\",\"question\":\"do fish walk\",\"answer\":false}\n");
        Files.writeString(data.resolve("gsm8k.jsonl"),
                "{\"question\":\"two and two\",\"answer\":\"2+2=4\\n#### 4\"}\n"
                + "{\"question\":\"ten and one\",\"answer\":\"#### 11\"}\n");
        Files.writeString(data.resolve("hellaswag.jsonl"),
                "{\"ctx\":\"he runs\",\"endings\":[\"fast\",\"up\"],\"label\":\"0\"}\n"
                + "{\"ctx\":\"she sits\",\"endings\":[\"down\",\"sky\"],\"label\":\"0\"}\n");
        cultural = Files.createDirectories(tmp.resolve("culturalbench"));
        Files.writeString(cultural.resolve("CulturalBench-Easy.csv"),
                "data_idx,question_idx,prompt_question,prompt_option_a,prompt_option_b,prompt_option_c,"
                + "prompt_option_d,answer,country\n"
                + "0,e0,\"what, eat\",rice,bread,soup,tea,A,Peru\n"
                + "1,e1,\"what\ndrink\",a,b,c,d,C,Kenya\n");
        Files.writeString(cultural.resolve("CulturalBench-Hard.csv"),
                "data_idx,question_idx,prompt_question,prompt_option,answer,country\n"
                + "0,h0,\"what, eat\",rice,True,Peru\n1,h0,\"what, eat\",bread,False,Peru\n"
                + "2,h0,\"what, eat\",soup,False,Peru\n3,h0,\"what, eat\",tea,False,Peru\n"
                + "4,h1,sing,a,False,Kenya\n5,h1,sing,b,False,Kenya\n6,h1,sing,c,True,Kenya\n7,h1,sing,d,False,Kenya\n");
    }

    static void task(String name, String yaml) throws Exception {
        Path dir = Files.createDirectories(tasks.resolve(name));
        Files.writeString(dir.resolve("metadata.yaml"), DESCRIPTIONS + "system_message: ''\n" + yaml);
    }

    static String[] args(String... extra) {
        List<String> base = new java.util.ArrayList<>(List.of("benchmark", "--model", model.toString(),
                "--tasks-dir", tasks.toString(), "--data-dir", data.toString(), "--max-tokens", "4", "--batch", "3"));
        base.addAll(List.of(extra));
        return base.toArray(String[]::new);
    }

    @Test
    void prependWithNonsenseAndCulturalBenchWritesTableJsonAndPredictions() throws Exception {
        Path out = tmp.resolve("results/prepend.json");
        CliRun run = CliRun.of(args("--mode", "prepend", "--tasks", "arc_easy,boolq,gsm8k,hellaswag",
                "--culturalbench-dir", cultural.toString(), "--unseen-fraction", "0.5", "--nonsense",
                "--limit", "2", "--out", out.toString()));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("| task | mode | condition | n | accuracy (%) |"), run.out());
        for (String t : List.of("arc_easy", "boolq", "gsm8k", "hellaswag", "culturalbench_easy",
                "culturalbench_hard")) {
            assertTrue(run.out().contains("| " + t + " | prepend | 3 descriptions | 2 | "), run.out());
            assertTrue(run.out().contains("| " + t + " | prepend | nonsense: `dogs;cats;bananas;` | 2 | "), run.out());
        }
        assertTrue(run.out().contains("| culturalbench_hard (seen) | prepend | 3 descriptions | 1 | "), run.out());
        assertTrue(run.out().contains("| culturalbench_hard (unseen) | prepend | 3 descriptions | 1 | "), run.out());

        JsonNode json = new ObjectMapper().readTree(out.toFile());
        assertEquals("prepend", json.get("mode").asText());
        assertEquals(6, json.get("tasks").size());
        int generations = 0;
        for (JsonNode t : json.get("tasks")) {
            assertEquals(2, t.get("n").asInt(), t.toString());
            assertEquals(3, t.get("runs_in_mean").asInt());
            assertEquals(5, t.get("runs").size(), "3 descriptions + 2 nonsense");
            double mean = t.get("accuracy_mean").asDouble();
            assertTrue(mean >= 0 && mean <= 1, t.toString());
            for (JsonNode r : t.get("runs")) {
                assertEquals(2, r.get("n").asInt(), r.toString());
                double acc = r.get("accuracy").asDouble();
                assertTrue(acc >= 0 && acc <= 1, r.toString());
                generations += r.get("generations").asInt();
            }
        }
        JsonNode arc = json.get("tasks").get(0);
        assertEquals("arc_easy", arc.get("task").asText());
        assertEquals("letters", arc.get("scorer").asText());
        assertEquals("reverse the word", arc.get("runs").get(0).get("description").asText());
        assertEquals("reverse", arc.get("runs").get(2).get("description").asText());
        assertEquals("nonsense", arc.get("runs").get(4).get("kind").asText());
        JsonNode hard = json.get("tasks").get(5);
        assertEquals("culturalbench_hard", hard.get("task").asText());
        assertEquals(8, hard.get("runs").get(0).get("generations").asInt(), "4 rows per question");
        assertEquals(1, hard.get("subsets").get("unseen").get("n").asInt());

        Path predictions = tmp.resolve("results/prepend.predictions.jsonl");
        List<String> lines = Files.readAllLines(predictions);
        assertEquals(generations, lines.size());
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertEquals("arc_easy", first.get("task").asText());
        assertEquals("arc_easy.jsonl:1", first.get("id").asText());
        assertEquals("A", first.get("expected").asText());
        assertTrue(first.has("output") && first.has("predicted") && first.has("correct"), first.toString());
    }

    @Test
    void adapterModeConditionsTheCheckpointOnEachDescription() throws Exception {
        Path out = tmp.resolve("adapter.json");
        CliRun run = CliRun.of(args("--mode", "adapter", "--checkpoint", ckpt.toString(), "--tasks",
                "arc_easy,gsm8k", "--out", out.toString()));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("| arc_easy | adapter | 3 descriptions | 3 | "), run.out());
        assertTrue(run.out().contains("| gsm8k | adapter | 3 descriptions | 2 | "), run.out());
        JsonNode json = new ObjectMapper().readTree(out.toFile());
        assertEquals(ckpt.toString(), json.get("checkpoint").asText());
        assertEquals(3, json.get("tasks").get(0).get("runs").size());
        assertEquals(3, json.get("tasks").get(0).get("runs").get(1).get("n").asInt());
    }

    @Test
    void noneModeRunsOnceWithoutADescription() throws Exception {
        CliRun run = CliRun.of(args("--mode", "none", "--tasks", "boolq"));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("| boolq | none | none | 2 | "), run.out());
    }

    @Test
    void adapterModeWithoutCheckpointIsAClearError() {
        CliRun run = CliRun.of(args("--mode", "adapter", "--tasks", "arc_easy"));
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("--mode adapter needs --checkpoint"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void unknownAndCodeTasksAreRefused() {
        CliRun unknown = CliRun.of(args("--mode", "none", "--tasks", "squad"));
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown task 'squad'") && unknown.err().contains("winogrande"),
                unknown.err());
        CliRun code = CliRun.of(args("--mode", "none", "--tasks", "humaneval"));
        assertEquals(1, code.exitCode());
        assertTrue(code.err().contains("not supported: code execution"), code.err());
    }

    @Test
    void missingAndMalformedFilesNameTheFile() throws Exception {
        CliRun missing = CliRun.of(args("--mode", "none", "--tasks", "piqa", "--scorer", "piqa=piqa"));
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("piqa") && missing.err().contains("metadata.yaml"), missing.err());

        Path badData = Files.createDirectories(tmp.resolve("bad-data"));
        Files.writeString(badData.resolve("boolq.jsonl"),
                "{\"passage\":\"p\",\"question\":\"q\",\"answer\":true}\n{\"passage\": \n");
        CliRun malformed = CliRun.of("benchmark", "--model", model.toString(), "--mode", "none", "--tasks-dir",
                tasks.toString(), "--data-dir", badData.toString(), "--tasks", "boolq");
        assertEquals(1, malformed.exitCode());
        assertTrue(malformed.err().contains(badData.resolve("boolq.jsonl") + ":2"), malformed.err());

        CliRun tooLong = CliRun.of("benchmark", "--model", model.toString(), "--mode", "none", "--tasks-dir",
                tasks.toString(), "--data-dir", data.toString(), "--tasks", "boolq", "--max-tokens", "1020");
        assertEquals(1, tooLong.exitCode());
        assertTrue(tooLong.err().contains("boolq item boolq.jsonl:1") && tooLong.err().contains("1024 positions"),
                tooLong.err());
    }
}
