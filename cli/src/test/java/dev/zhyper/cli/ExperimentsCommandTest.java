package dev.zhyper.cli;

import dev.zhyper.core.experiments.RunResult;
import dev.zhyper.core.model.RandomModels;
import dev.zhyper.core.suite.TaskSuite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code zhyper experiments --quick} produces the report and, re-run, skips the finished runs. */
class ExperimentsCommandTest {
    @TempDir
    Path tmp;

    @Test
    void quickGridWritesReportAndResumes() throws Exception {
        Path suite = Path.of("..", "data", "suite");
        if (!Files.isRegularFile(suite.resolve("tasks.json"))) {
            suite = Path.of("data", "suite");
        }
        Path model = RandomModels.writeLlama(tmp.resolve("tiny"), RandomModels.LlamaShape.tiny(0),
                TaskSuite.ALPHABET + "\n", 3);
        Path out = tmp.resolve("paper");
        Path docs = tmp.resolve("docs");
        String[] args = {"experiments", "--quick", "--model", model.toString(), "--suite", suite.toString(),
            "--out", out.toString(), "--docs", docs.toString()};
        CliRun first = CliRun.of(args);
        assertEquals(0, first.exitCode(), first.err());
        for (String f : new String[] {"table.md", "table.csv", "analysis.md", "loss.svg", "pareto.svg", "z-pca.svg"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
            assertTrue(Files.isRegularFile(docs.resolve(f)), f);
        }
        Path diag = out.resolve("runs").resolve("zhyper-diag-r2-s1");
        assertTrue(RunResult.exists(diag));
        assertTrue(Files.isRegularFile(out.resolve("runs/mtl-r2-s1/result.json")));
        assertEquals(21, Files.readAllLines(diag.resolve("loss.csv")).size()); // header + 20 steps
        assertTrue(Files.isRegularFile(diag.resolve("z.csv")));
        RunResult r = RunResult.read(diag);
        assertEquals(46 * 2, r.evalItems());
        assertTrue(r.bytesPerContext() == 4L * 2 * 2 * 2, "diag r=2, 2 layers x 2 modules: " + r.bytesPerContext());
        String csv = Files.readString(out.resolve("table.csv"));
        assertTrue(csv.startsWith("method,rank,trainable_params"), csv);
        assertTrue(csv.contains("\nmtl,2,") && csv.contains("\nzhyper-diag,2,"), csv);
        assertTrue(Files.readString(out.resolve("pareto.svg")).startsWith("<svg"));
        long modified = Files.getLastModifiedTime(diag.resolve("result.json")).toMillis();

        CliRun again = CliRun.of(args);
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.err().contains("(done before)"), again.err());
        assertTrue(!again.err().contains("step 1/20"), again.err());
        assertEquals(modified, Files.getLastModifiedTime(diag.resolve("result.json")).toMillis());
        assertTrue(again.out().contains("| zhyper-diag | 2 |"), again.out());
    }
}
