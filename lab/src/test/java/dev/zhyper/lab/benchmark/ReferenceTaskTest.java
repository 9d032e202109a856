package dev.zhyper.lab.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The ten reference metadata files load and render; malformed ones fail naming the file and field. */
class ReferenceTaskTest {
    static final Path REFERENCE = Path.of("/work/shared/data/reference-tasks");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A hand-written record per benchmark, in the HF dataset's row format. */
    static final Map<String, String> RECORDS = Map.of(
            "arc_challenge", "{\"question\":\"Which gas do plants absorb?\",\"choices\":{\"text\":[\"Oxygen\","
                    + "\"Carbon dioxide\",\"Nitrogen\",\"Helium\"],\"label\":[\"A\",\"B\",\"C\",\"D\"]},"
                    + "\"answerKey\":\"B\"}",
            "arc_easy", "{\"question\":\"What melts ice?\",\"choices\":{\"text\":[\"heat\",\"cold\",\"dark\","
                    + "\"wind\"],\"label\":[\"1\",\"2\",\"3\",\"4\"]},\"answerKey\":\"1\"}",
            "boolq", "{\"passage\":\"Cats are mammals.\",\"question\":\"are cats mammals\",\"answer\":true}",
            "gsm8k", "{\"question\":\"What is 2 + 2?\",\"answer\":\"2 + 2 = 4\\n#### 4\"}",
            "hellaswag", "{\"ctx\":\"A man opens a door.\",\"endings\":[\"He walks in.\",\"He flies.\","
                    + "\"He melts.\",\"He sings to the door.\"],\"label\":\"0\"}",
            "openbookqa", "{\"question_stem\":\"The sun is a\",\"choices\":{\"text\":[\"star\",\"planet\",\"moon\","
                    + "\"comet\"],\"label\":[\"A\",\"B\",\"C\",\"D\"]},\"answerKey\":\"A\"}",
            "piqa", "{\"goal\":\"Dry wet hands\",\"sol1\":\"Use a towel.\",\"sol2\":\"Use water.\",\"label\":0}",
            "winogrande", "{\"sentence\":\"The cup fell off the table because _ was unstable.\","
                    + "\"option1\":\"the cup\",\"option2\":\"the table\",\"answer\":\"2\"}",
            "humaneval", "{\"prompt\":\"def add(a, b):\",\"canonical_solution\":\"    return a + b\"}",
            "mbpp", "{\"prompt\":\"Add two numbers.\",\"assertions\":\"assert add(1, 2) == 3\",\"code\":\"def add(a,b): return a+b\"}");

    @Test
    void allTenReferenceTasksLoadAndRender() throws Exception {
        assumeTrue(Files.isDirectory(REFERENCE), "reference tasks not present at " + REFERENCE);
        for (String name : RECORDS.keySet()) {
            ReferenceTask t = ReferenceTask.load(REFERENCE, name);
            assertEquals(name, t.name());
            assertEquals(200, t.descriptions().size(), name);
            assertEquals(t.descriptions().subList(197, 200), t.evaluationDescriptions(3), name);
            JsonNode record = JSON.readTree(RECORDS.get(name));
            String prompt = t.userPrompt(record);
            assertTrue(!prompt.contains("{") || name.equals("humaneval") || name.equals("mbpp"), prompt);
            assertTrue(record.has(t.responseField()), name + " response field " + t.responseField());
            assertTrue(t.datasetKwargs().containsKey("path"), name);
            if (!Scorer.CODE_TASKS.contains(name)) {
                Scorer s = Scorer.forTask(name);
                s.expected(record.get(t.responseField()));
            }
        }
    }

    @Test
    void arcPromptIsExact() throws Exception {
        assumeTrue(Files.isDirectory(REFERENCE), "reference tasks not present at " + REFERENCE);
        ReferenceTask t = ReferenceTask.load(REFERENCE, "arc_challenge");
        assertEquals("Answer the question below by choosing the correct choice.\n\n"
                + "Which gas do plants absorb?\n\n"
                + "A: Oxygen\nB: Carbon dioxide\nC: Nitrogen\nD: Helium\n\n"
                + "You must respond with the letter corresponding to the correct choice without any explanation.",
                t.userPrompt(JSON.readTree(RECORDS.get("arc_challenge"))));
        assertEquals("", t.systemMessage());
        assertEquals("", t.assistantPrefill());
        assertNull(t.assistantPostfill());
        assertEquals("answerKey", t.responseField());
        assertEquals("allenai/ai2_arc", t.datasetKwargs().get("path"));
        assertEquals("ARC-Challenge", t.datasetKwargs().get("name"));
    }

    @Test
    void hellaswagPromptIsExact() throws Exception {
        assumeTrue(Files.isDirectory(REFERENCE), "reference tasks not present at " + REFERENCE);
        ReferenceTask t = ReferenceTask.load(REFERENCE, "hellaswag");
        assertEquals("You are provided with an incomplete passage below as well as 4 choices of continuation with "
                + "only one of them being the correct ending. Treat the endings as being labelled 0, 1, 2, 3 in order."
                + "\n\nPassage: A man opens a door.\n\n"
                + "0: He walks in.\n1: He flies.\n2: He melts.\n3: He sings to the door.\n\n"
                + "You must respond with the only number corresponding to the correct ending (0,1,2,3) for the "
                + "passage without any explanation.",
                t.userPrompt(JSON.readTree(RECORDS.get("hellaswag"))));
    }

    @Test
    void otherPromptsAreExact() throws Exception {
        assumeTrue(Files.isDirectory(REFERENCE), "reference tasks not present at " + REFERENCE);
        assertEquals("Cats are mammals.\n\nQuestion: are cats mammals?\n\nPlease answer with only `true` or `false` "
                + "without any explanation.",
                ReferenceTask.load(REFERENCE, "boolq").userPrompt(JSON.readTree(RECORDS.get("boolq"))));
        ReferenceTask gsm = ReferenceTask.load(REFERENCE, "gsm8k");
        assertEquals("Please answer the following question: What is 2 + 2?",
                gsm.userPrompt(JSON.readTree(RECORDS.get("gsm8k"))));
        assertEquals("Let's think step by step. ", gsm.assistantPrefill());
        assertEquals("Given the following situation:\n\nThe cup fell off the table because _ was unstable.\n\n"
                + "Which option is correct?\n\nOption 1: the cup\nOption 2: the table\n\n"
                + "You must respond with either `1` or `2` without any explanation.",
                ReferenceTask.load(REFERENCE, "winogrande").userPrompt(JSON.readTree(RECORDS.get("winogrande"))));
        assertEquals("\n```", ReferenceTask.load(REFERENCE, "mbpp").assistantPostfill());
    }

    private Path write(String task, String yaml) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(task));
        return Files.writeString(dir.resolve("metadata.yaml"), yaml);
    }

    @Test
    void loadsAMinimalFileWithDefaults() throws Exception {
        Path f = write("mini", "descriptions:\n- one\n- two\n- three\nuser_prompt_template: 'Q: {q}'\n"
                + "response_field: a\n");
        ReferenceTask t = ReferenceTask.load(f);
        assertEquals("mini", t.name());
        assertEquals(List.of("two", "three"), t.evaluationDescriptions(2));
        assertEquals("", t.systemMessage());
        assertEquals("", t.assistantPrefill());
        assertEquals(Map.of(), t.datasetKwargs());
        var e = assertThrows(BenchmarkException.class, () -> t.evaluationDescriptions(4));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void malformedYamlNamesTheFile() throws Exception {
        Path f = write("broken", "descriptions: [a, b\nuser_prompt_template: x\n");
        var e = assertThrows(BenchmarkException.class, () -> ReferenceTask.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("malformed YAML"), e.getMessage());
    }

    @Test
    void missingAndInvalidFieldsAreNamed() throws Exception {
        Path noTemplate = write("a", "descriptions: [x]\nresponse_field: r\n");
        var e1 = assertThrows(BenchmarkException.class, () -> ReferenceTask.load(noTemplate));
        assertTrue(e1.getMessage().contains(noTemplate.toString())
                && e1.getMessage().contains("'user_prompt_template'"), e1.getMessage());

        Path noDescriptions = write("b", "user_prompt_template: '{q}'\nresponse_field: r\n");
        var e2 = assertThrows(BenchmarkException.class, () -> ReferenceTask.load(noDescriptions));
        assertTrue(e2.getMessage().contains("'descriptions'"), e2.getMessage());

        Path badDescription = write("c", "descriptions: [x, [y]]\nuser_prompt_template: '{q}'\nresponse_field: r\n");
        var e3 = assertThrows(BenchmarkException.class, () -> ReferenceTask.load(badDescription));
        assertTrue(e3.getMessage().contains("element 1"), e3.getMessage());

        Path badTemplate = write("d", "descriptions: [x]\nuser_prompt_template: '{q'\nresponse_field: r\n");
        var e4 = assertThrows(BenchmarkException.class, () -> ReferenceTask.load(badTemplate));
        assertTrue(e4.getMessage().contains(badTemplate.toString()) && e4.getMessage().contains("unclosed"),
                e4.getMessage());

        Path noResponse = write("e", "descriptions: [x]\nuser_prompt_template: '{q}'\n");
        var e5 = assertThrows(BenchmarkException.class, () -> ReferenceTask.load(noResponse));
        assertTrue(e5.getMessage().contains("'response_field'"), e5.getMessage());

        var e6 = assertThrows(BenchmarkException.class, () -> ReferenceTask.load(tmp, "absent"));
        assertTrue(e6.getMessage().contains("not found"), e6.getMessage());
    }

    @Test
    void taskBenchmarkSkipsRecordsTheTemplateDoesNotFitAndNamesBadLines() throws Exception {
        Path f = write("arc_x", "descriptions: [d1, d2]\n"
                + "user_prompt_template: \"{question} {choices[label][3]}\"\nresponse_field: answerKey\n"
                + "system_message: sys\nassistant_prefill: 'P '\n");
        ReferenceTask t = ReferenceTask.load(f);
        Path data = Files.writeString(tmp.resolve("arc.jsonl"),
                "{\"question\":\"q1\",\"choices\":{\"text\":[\"a\",\"b\",\"c\"],\"label\":[\"A\",\"B\",\"C\"]},"
                        + "\"answerKey\":\"A\"}\n\n"
                        + "{\"question\":\"q2\",\"choices\":{\"text\":[\"a\",\"b\",\"c\",\"d\"],"
                        + "\"label\":[\"A\",\"B\",\"C\",\"D\"]},\"answerKey\":\"D\"}\n");
        TaskBenchmark b = TaskBenchmark.load(t, Scorer.LETTERS, data, 0);
        assertEquals(1, b.size());
        assertEquals(1, b.skipped().count());
        assertTrue(b.skipped().firstReason().contains("arc.jsonl:1"), b.skipped().firstReason());

        BenchItem prepend = b.items(new Condition(Condition.Kind.DESCRIPTION, "desc"), BenchMode.PREPEND, false).get(0);
        assertEquals("desc\n\nsys", prepend.system());
        assertNull(prepend.condition());
        assertEquals("arc.jsonl:3", prepend.id());
        assertEquals("q2 D", prepend.user());
        assertEquals("P ", prepend.prefill());
        BenchItem adapter = b.items(new Condition(Condition.Kind.DESCRIPTION, "desc"), BenchMode.ADAPTER, true).get(0);
        assertEquals("sys", adapter.system());
        assertEquals("desc", adapter.condition());
        BenchItem none = b.items(Condition.NO_DESCRIPTION, BenchMode.NONE, false).get(0);
        assertEquals("sys", none.system());
        assertNull(none.condition());

        Path bad = Files.writeString(tmp.resolve("bad.jsonl"),
                "{\"question\":\"q\",\"choices\":{\"label\":[\"A\",\"B\",\"C\",\"D\"]},\"answerKey\":\"A\"}\n{oops\n");
        var e = assertThrows(BenchmarkException.class, () -> TaskBenchmark.load(t, Scorer.LETTERS, bad, 0));
        assertTrue(e.getMessage().contains("bad.jsonl:2") && e.getMessage().contains("malformed JSON"), e.getMessage());

        Path noAnswer = Files.writeString(tmp.resolve("noanswer.jsonl"),
                "{\"question\":\"q\",\"choices\":{\"label\":[\"A\",\"B\",\"C\",\"D\"]}}\n");
        var e2 = assertThrows(BenchmarkException.class, () -> TaskBenchmark.load(t, Scorer.LETTERS, noAnswer, 0));
        assertTrue(e2.getMessage().contains("noanswer.jsonl:1") && e2.getMessage().contains("'answerKey'"),
                e2.getMessage());

        Path noneFit = Files.writeString(tmp.resolve("nonefit.jsonl"), "{\"question\":\"q\",\"answerKey\":\"A\"}\n");
        var e3 = assertThrows(BenchmarkException.class, () -> TaskBenchmark.load(t, Scorer.LETTERS, noneFit, 0));
        assertTrue(e3.getMessage().contains("no record fits"), e3.getMessage());
    }
}
