package dev.zhyper.cli;

import dev.zhyper.lab.experiments.RunResult;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.lab.suite.TaskSuite;
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
        // the fit-vs-generalisation measurement: seen tasks with their training descriptions, and the tail loss
        assertTrue(r.seenTrainDescAccuracy() != null && r.tailLoss() != null, r.toString());
        assertEquals(null, RunResult.read(out.resolve("runs/mtl-r2-s1")).seenTrainDescAccuracy());

        // a result written before those fields existed gets them from its checkpoint, without retraining
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var old = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(diag.resolve("result.json").toFile());
        old.remove("seenTrainDescAccuracy");
        old.remove("tailLoss");
        json.writeValue(diag.resolve("result.json").toFile(), old);
        assertEquals(null, RunResult.read(diag).seenTrainDescAccuracy());
        CliRun upgrade = CliRun.of(args);
        assertEquals(0, upgrade.exitCode(), upgrade.err());
        assertTrue(!upgrade.err().contains("step 1/20"), upgrade.err());
        RunResult filled = RunResult.read(diag);
        assertEquals(r.seenTrainDescAccuracy(), filled.seenTrainDescAccuracy());
        assertEquals(r.tailLoss(), filled.tailLoss());
        String table = Files.readString(out.resolve("table.md"));
        assertTrue(table.contains("seen tasks (training desc.)"), table);
        assertTrue(table.contains("shared A, B at lr × 8.0, L2 0.001") && table.contains("(centred)"), table);
    }

    @Test
    void recipeOptionsReachTheCheckpoint() throws Exception {
        Path suite = Path.of("..", "data", "suite");
        if (!Files.isRegularFile(suite.resolve("tasks.json"))) {
            suite = Path.of("data", "suite");
        }
        Path model = RandomModels.writeLlama(tmp.resolve("tiny"), RandomModels.LlamaShape.tiny(0),
                TaskSuite.ALPHABET + "\n", 3);
        Path out = tmp.resolve("recipe");
        CliRun run = CliRun.of("experiments", "--quick", "--methods", "zhyper-diag,t2l", "--model", model.toString(),
                "--suite", suite.toString(), "--out", out.toString(), "--docs", "none", "--z-param", "one-plus",
                "--lr-shared-ratio", "4", "--weight-decay-shared", "0", "--lora-dropout", "0.05", "--factor-l2", "1e-3", "--condition-noise", "0.2",
                "--hyper-hidden", "32", "--hyper-out", "24", "--hyper-task-dim", "16", "--hyper-blocks", "1",
                "--hyper-centre");
        assertEquals(0, run.exitCode(), run.err());
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var man = json.readTree(out.resolve("runs/zhyper-diag-r2-s1/ckpt/manifest.json").toFile());
        assertEquals("one-plus", man.at("/adapter/z_param").asText());
        assertEquals(4.0, man.at("/train/recipe/sharedLrRatio").asDouble());
        assertEquals(0.0, man.at("/train/recipe/sharedWeightDecay").asDouble());
        assertEquals(0.05, man.at("/train/recipe/loraDropout").asDouble());
        assertEquals(1e-3, man.at("/train/recipe/factorL2").asDouble());
        assertEquals(0.2, man.at("/train/recipe/conditionNoise").asDouble());
        assertEquals(32, man.at("/hyper/hiddenDim").asInt());
        assertEquals(24, man.at("/hyper/outDim").asInt());
        assertTrue(man.at("/hyper/centred").asBoolean());
        // T2L keeps the head parametrisation (z-param applies to diag and square), the rest of the recipe applies
        var t2l = json.readTree(out.resolve("runs/t2l-r2-s1/ckpt/manifest.json").toFile());
        assertEquals("head", t2l.at("/adapter/z_param").asText());
        assertEquals(1e-3, t2l.at("/train/recipe/factorL2").asDouble());
        // the reported trainable parameters are those of the narrow trunk
        var cfg = dev.zhyper.core.model.ModelConfig.load(model);
        long expected = dev.zhyper.core.adapter.ParameterCounts.total(cfg, dev.zhyper.core.adapter.AdapterSpec.of(2,
                dev.zhyper.core.adapter.AdapterMethod.DIAG), dev.zhyper.core.hyper.HyperSpec.defaults(384)
                .withWidths(16, 32, 24, 1));
        assertEquals(expected, RunResult.read(out.resolve("runs/zhyper-diag-r2-s1")).trainableParams());
    }
}
