package dev.zhyper.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code zhyper params} reproduces the parameter table of docs/method.md §3 (Mistral-7B-Instruct-v0.2, d_c = 1024). */
class ParamsCommandTest {
    static final Path MISTRAL = Path.of("../core/src/test/resources/configs/mistral-7b-instruct-v0.2");

    @Test
    void reproducesTheMathTable() {
        CliRun run = CliRun.of("params", "--model", MISTRAL.toString(), "--rank", "8,16,32", "--embed-dim", "1024");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("""
                mtl 8 3407872
                zhyper-diag 8 4207632
                zhyper-square 8 4265088
                t2l 8 55424000
                mtl 16 6815744
                zhyper-diag 16 7623712
                zhyper-square 16 7869952
                t2l 16 110056448
                mtl 32 13631488
                zhyper-diag 32 14455872
                zhyper-square 32 15473664
                t2l 32 219321344
                """, run.out());
        assertEquals("", run.err());
    }

    @Test
    void explicitDefaultsGiveTheSameNumbers() {
        CliRun run = CliRun.of("params", "--model", MISTRAL.resolve("config.json").toString(), "--rank", "8",
                "--embed-dim", "1024", "--targets", "q_proj,v_proj", "--layers", "all");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("mtl 8 3407872\nzhyper-diag 8 4207632\nzhyper-square 8 4265088\nt2l 8 55424000\n", run.out());
    }

    @Test
    void trunkWidthsAreOptions() {
        CliRun run = CliRun.of("params", "--model", MISTRAL.toString(), "--rank", "8", "--embed-dim", "1024",
                "--hyper-hidden", "128", "--hyper-out", "128", "--hyper-task-dim", "32", "--hyper-blocks", "1");
        assertEquals(0, run.exitCode(), run.err());
        var cfg = dev.zhyper.core.model.ModelConfig.load(MISTRAL);
        var hyper = dev.zhyper.core.hyper.HyperSpec.defaults(1024).withWidths(32, 128, 128, 1);
        StringBuilder expected = new StringBuilder();
        for (var m : java.util.List.of(dev.zhyper.core.adapter.AdapterMethod.MTL, dev.zhyper.core.adapter.AdapterMethod.DIAG,
                dev.zhyper.core.adapter.AdapterMethod.SQUARE, dev.zhyper.core.adapter.AdapterMethod.T2L)) {
            expected.append(m.id()).append(" 8 ").append(dev.zhyper.core.adapter.ParameterCounts.total(cfg,
                    dev.zhyper.core.adapter.AdapterSpec.of(8, m), hyper)).append('\n');
        }
        assertEquals(expected.toString(), run.out());
        // the trunk shrinks: diag is smaller than with the paper's widths, MTL (no hypernetwork) unchanged
        String[] lines = run.out().split("\n");
        assertEquals("mtl 8 3407872", lines[0]);
        assertTrue(Long.parseLong(lines[1].split(" ")[2]) < 4207632L, lines[1]);
    }

    @Test
    void missingConfigFailsWithOneErrorLine() {
        CliRun run = CliRun.of("params", "--model", "does-not-exist", "--rank", "8", "--embed-dim", "1024");
        assertEquals(1, run.exitCode());
        assertEquals("", run.out());
        assertTrue(run.err().startsWith("error: ") && run.err().contains("config.json not found"), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
    }

    @Test
    void badUsageExitsWithTwo() {
        CliRun run = CliRun.of("params", "--model", MISTRAL.toString(), "--rank", "eight", "--embed-dim", "1024");
        assertEquals(2, run.exitCode());
        assertEquals("", run.out());
        CliRun unknownTarget = CliRun.of("params", "--model", MISTRAL.toString(), "--rank", "8", "--embed-dim",
                "1024", "--targets", "x_proj");
        assertEquals(2, unknownTarget.exitCode());
        assertTrue(unknownTarget.err().contains("unknown target module 'x_proj'"), unknownTarget.err());
    }
}
