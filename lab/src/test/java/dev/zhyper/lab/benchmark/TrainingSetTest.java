package dev.zhyper.lab.benchmark;

import dev.zhyper.core.data.Datasets;
import dev.zhyper.core.data.TrainingExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingSetTest {
    @TempDir
    Path tmp;

    private void task(String name, String yaml, String jsonl) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("tasks").resolve(name));
        Files.writeString(dir.resolve("metadata.yaml"), yaml);
        Files.createDirectories(tmp.resolve("data"));
        Files.writeString(tmp.resolve("data").resolve(name + ".jsonl"), jsonl);
    }

    private void fixtures() throws Exception {
        task("capitals", """
                descriptions:
                - Name the capital city of the country.
                - Which city is the seat of government?
                - Give the capital.
                user_prompt_template: 'What is the capital of {country}?'
                response_field: capital
                system_message: ''
                assistant_prefill: ''
                """, """
                {"country": "France", "capital": "Paris"}
                {"country": "Peru", "capital": "Lima"}
                {"nation": "Chad", "capital": "N'Djamena"}
                """);
        task("sums", """
                descriptions:
                - Add the two numbers.
                - Compute the total.
                user_prompt_template: '{q[0]} + {q[1]} = ?'
                response_field: answer
                system_message: 'You are a calculator.'
                assistant_prefill: 'The answer is '
                assistant_postfill: '.'
                """, """
                {"q": [2, 3], "answer": 5}
                {"q": [10, 4], "answer": 14}
                """);
    }

    @Test
    void recordsBecomeTheExactPromptAndResponseTheBenchmarkUses() throws Exception {
        fixtures();
        TrainingSet set = TrainingSet.fromReferenceTasks(tmp.resolve("tasks"), tmp.resolve("data"),
                List.of("capitals", "sums"), 0, 1, 7);
        assertEquals(List.of(new TrainingExample("capitals", "What is the capital of France?", "Paris"),
                new TrainingExample("capitals", "What is the capital of Peru?", "Lima"),
                new TrainingExample("sums", "You are a calculator.\n\n2 + 3 = ?", "The answer is 5."),
                new TrainingExample("sums", "You are a calculator.\n\n10 + 4 = ?", "The answer is 14.")),
                set.examples());
        assertEquals(Map.of("capitals", 1, "sums", 0), set.skipped());
        assertEquals(List.of("Name the capital city of the country.", "Which city is the seat of government?"),
                set.descriptions().get("capitals"), "the last description is held out");

        set.write(tmp.resolve("out"));
        assertEquals(set.examples(), Datasets.readExamples(tmp.resolve("out/train.jsonl")));
        assertEquals(set.descriptions(), Datasets.readDescriptions(tmp.resolve("out/descriptions.json")));
    }

    @Test
    void subsetsAreSeededAndBounded() throws Exception {
        fixtures();
        TrainingSet a = TrainingSet.fromReferenceTasks(tmp.resolve("tasks"), tmp.resolve("data"), List.of("sums"),
                1, 0, 3);
        TrainingSet b = TrainingSet.fromReferenceTasks(tmp.resolve("tasks"), tmp.resolve("data"), List.of("sums"),
                1, 0, 3);
        assertEquals(1, a.examples().size());
        assertEquals(a.examples(), b.examples());
    }

    @Test
    void unusableInputsAreRefusedWithTheFileNamed() throws Exception {
        fixtures();
        task("broken", """
                descriptions:
                - Do it.
                user_prompt_template: '{missing}'
                response_field: answer
                """, "{\"answer\": \"x\"}\n");
        BenchmarkException none = assertThrows(BenchmarkException.class, () -> TrainingSet.fromReferenceTasks(
                tmp.resolve("tasks"), tmp.resolve("data"), List.of("broken"), 0, 0, 1));
        assertTrue(none.getMessage().contains("broken.jsonl") && none.getMessage().contains("none of 1"),
                none.getMessage());
        BenchmarkException allHeld = assertThrows(BenchmarkException.class, () -> TrainingSet.fromReferenceTasks(
                tmp.resolve("tasks"), tmp.resolve("data"), List.of("sums"), 0, 2, 1));
        assertTrue(allHeld.getMessage().contains("metadata.yaml"), allHeld.getMessage());
        BenchmarkException missing = assertThrows(BenchmarkException.class, () -> TrainingSet.fromReferenceTasks(
                tmp.resolve("tasks"), tmp.resolve("data"), List.of("nope"), 0, 0, 1));
        assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
    }
}
