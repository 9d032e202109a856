package dev.zhyper.lab.benchmark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CulturalBenchTest {
    @TempDir
    Path tmp;

    static final String EASY = "data_idx,question_idx,prompt_question,prompt_option_a,prompt_option_b,"
            + "prompt_option_c,prompt_option_d,answer,country\n"
            + "0,q0,\"What do people eat, usually, at breakfast?\",Rice,\"Bread, with jam\",Soup,\"Say \"\"hi\"\"\",B,"
            + "France\n"
            + "1,q1,\"A question\nover two lines\",a,b,c,d,d,Japan\n";

    static final String HARD = "data_idx,question_idx,prompt_question,prompt_option,answer,country\n"
            + "0,7,\"Which, of these, is common?\",Tea,True,Kenya\n"
            + "1,7,\"Which, of these, is common?\",\"Coffee, black\",False,Kenya\n"
            + "2,7,\"Which, of these, is common?\",Milk,False,Kenya\n"
            + "3,7,\"Which, of these, is common?\",Juice,False,Kenya\n"
            + "4,8,Another?,x,false,Peru\n"
            + "5,8,Another?,y,true,Peru\n"
            + "6,8,Another?,z,false,Peru\n"
            + "7,8,Another?,w,false,Peru\n";

    @Test
    void easyCsvHandlesQuotedCommasQuotesAndNewlines() throws Exception {
        Path f = Files.writeString(tmp.resolve("CulturalBench-Easy.csv"), EASY);
        List<CulturalBench.Row> rows = CulturalBench.read(CulturalBench.Variant.EASY, f, 0);
        assertEquals(2, rows.size());
        CulturalBench.Row r = rows.get(0);
        assertEquals("What do people eat, usually, at breakfast?", r.question());
        assertEquals(List.of("Rice", "Bread, with jam", "Soup", "Say \"hi\""), r.options());
        assertEquals("B", r.answer());
        assertEquals("France", r.country());
        assertEquals(2, r.line());
        assertEquals("A question\nover two lines", rows.get(1).question());
        assertEquals("D", rows.get(1).answer(), "answer letters are normalised to upper case");
        assertEquals(3, rows.get(1).line());
        assertEquals(List.of("France", "Japan"), CulturalBench.countries(rows));

        CulturalBench b = new CulturalBench(CulturalBench.Variant.EASY, f, rows,
                new CountrySplit(Set.of("France"), Set.of("Japan")));
        List<BenchItem> items = b.items(new Condition(Condition.Kind.DESCRIPTION, CulturalBench.EVALUATION_PHRASINGS
                .get(0)), BenchMode.PREPEND, false);
        assertEquals("Answer as someone who grew up in France would.", items.get(0).system());
        assertEquals("Answer as someone who grew up in Japan would.", items.get(1).system());
        assertEquals("seen", items.get(0).subset());
        assertEquals("unseen", items.get(1).subset());
        assertTrue(items.get(0).user().contains("B: Bread, with jam\n"), items.get(0).user());
        List<BenchItem> adapter = b.items(new Condition(Condition.Kind.DESCRIPTION, "From {country}."),
                BenchMode.ADAPTER, true);
        assertEquals("From Japan.", adapter.get(1).condition());
        assertNull(adapter.get(1).system());
        assertEquals(1, CulturalBench.read(CulturalBench.Variant.EASY, f, 1).size());
    }

    @Test
    void trainingAndEvaluationPhrasingsAreDisjoint() {
        for (String p : CulturalBench.EVALUATION_PHRASINGS) {
            assertTrue(p.contains("{country}"));
            assertTrue(!CulturalBench.TRAINING_PHRASINGS.contains(p), p);
        }
        CulturalBench.TRAINING_PHRASINGS.forEach(p -> assertTrue(p.contains("{country}"), p));
    }

    @Test
    void hardCountsAQuestionOnlyIfAllFourRowsAreRight() throws Exception {
        Path f = Files.writeString(tmp.resolve("CulturalBench-Hard.csv"), HARD);
        List<CulturalBench.Row> rows = CulturalBench.read(CulturalBench.Variant.HARD, f, 0);
        assertEquals(8, rows.size());
        assertEquals(List.of("Coffee, black"), rows.get(1).options());
        assertEquals("true", rows.get(0).answer());
        CulturalBench b = new CulturalBench(CulturalBench.Variant.HARD, f, rows,
                new CountrySplit(Set.of("Kenya"), Set.of("Peru")));
        List<BenchItem> items = b.items(Condition.NO_DESCRIPTION, BenchMode.NONE, false);
        // Kenya: all four right; Peru: three right, one wrong
        List<String> outputs = List.of("true", "False", "false.", "FALSE", "false", "true", "false", "true");
        List<BenchmarkRunner.Prediction> predictions = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            predictions.add(new BenchmarkRunner.Prediction(items.get(i), outputs.get(i),
                    items.get(i).judge(outputs.get(i))));
        }
        BenchmarkRunner.Run run = BenchmarkRunner.score(Condition.NO_DESCRIPTION, predictions);
        assertEquals(new BenchmarkRunner.Score(2, 1), run.score());
        assertEquals(new BenchmarkRunner.Score(1, 1), run.subsets().get("seen"));
        assertEquals(new BenchmarkRunner.Score(1, 0), run.subsets().get("unseen"));
        assertEquals(4, CulturalBench.read(CulturalBench.Variant.HARD, f, 1).size(), "limit counts questions");
    }

    @Test
    void missingColumnsAndBadAnswersNameTheFile() throws Exception {
        Path f = Files.writeString(tmp.resolve("hard.csv"), "data_idx,prompt_question,answer,country\n0,q,true,X\n");
        var e = assertThrows(BenchmarkException.class, () -> CulturalBench.read(CulturalBench.Variant.HARD, f, 0));
        assertTrue(e.getMessage().contains("hard.csv") && e.getMessage().contains("prompt_option"), e.getMessage());
        Path g = Files.writeString(tmp.resolve("easy.csv"), EASY.replace(",B,\nFrance", ",Z,\nFrance")
                .replace(",B,France", ",Z,France"));
        var e2 = assertThrows(BenchmarkException.class, () -> CulturalBench.read(CulturalBench.Variant.EASY, g, 0));
        assertTrue(e2.getMessage().contains("easy.csv:2") && e2.getMessage().contains("'Z'"), e2.getMessage());
        var e3 = assertThrows(BenchmarkException.class,
                () -> CulturalBench.read(CulturalBench.Variant.EASY, tmp.resolve("nope.csv"), 0));
        assertTrue(e3.getMessage().contains("nope.csv"), e3.getMessage());
    }

    @Test
    void countrySplitIsDeterministic() throws Exception {
        List<String> countries = List.of("Peru", "Kenya", "France", "Japan", "Chile", "India", "Spain", "Iran",
                "Mexico", "Egypt");
        CountrySplit a = CountrySplit.bySeed(countries, 7, 0.3);
        List<String> reversed = new ArrayList<>(countries);
        java.util.Collections.reverse(reversed);
        CountrySplit b = CountrySplit.bySeed(reversed, 7, 0.3);
        assertEquals(a, b, "the order of the input does not matter");
        assertEquals(3, a.unseen().size());
        assertEquals(7, a.seen().size());
        assertTrue(java.util.stream.LongStream.range(0, 10)
                .anyMatch(seed -> !CountrySplit.bySeed(countries, seed, 0.3).equals(a)), "the seed matters");
        assertEquals(1, CountrySplit.bySeed(countries, 1, 0.01).unseen().size());
        assertEquals(0, CountrySplit.bySeed(countries, 1, 0).unseen().size());
        assertThrows(IllegalArgumentException.class, () -> CountrySplit.bySeed(countries, 1, 1.5));

        Path list = Files.writeString(tmp.resolve("unseen.txt"), "# held out\nPeru\n\nJapan\n");
        CountrySplit fromFile = CountrySplit.fromFile(list, countries);
        assertEquals(Set.of("Peru", "Japan"), fromFile.unseen());
        assertEquals("unseen", fromFile.subsetOf("Japan"));
        assertEquals("seen", fromFile.subsetOf("Kenya"));
        Path bad = Files.writeString(tmp.resolve("bad.txt"), "Peru\nAtlantis\n");
        var e = assertThrows(BenchmarkException.class, () -> CountrySplit.fromFile(bad, countries));
        assertTrue(e.getMessage().contains("bad.txt:2") && e.getMessage().contains("Atlantis"), e.getMessage());
    }
}
