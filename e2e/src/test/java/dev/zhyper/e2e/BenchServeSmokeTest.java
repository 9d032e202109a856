package dev.zhyper.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zhyper.cli.commands.BenchServeCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code zhyper bench-serve} on a tiny workload: both generators start (continuous and drain admission), every
 * request ends as completed or cancelled (none failed), and the report has every figure and ratio. No timing
 * assertion: the real comparison is the benchmark itself (README).
 */
class BenchServeSmokeTest {

    @TempDir
    Path tmp;

    @Test
    void tinyWorkloadOnBothPoliciesHasNoFailures() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path jar = root.resolve("generator-service/target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is missing: package the services first (mvn -B verify -pl e2e -am)");
        Path json = tmp.resolve("bench-serve.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new BenchServeCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int rc = cli.execute("--requests", "12", "--rounds", "2", "--rate", "20", "--descriptions", "16",
                "--long-tokens", "24", "--cancel-share", "0.25", "--json", json.toString(), "--home",
                tmp.resolve("run").toString(), "--generator-jar", jar.toString(),
                "--model", root.resolve("models/zhyper-tiny").toString(),
                "--checkpoint", root.resolve("models/zhyper-tiny-diag").toString(),
                "--suite", root.resolve("data/suite").toString());
        assertEquals(0, rc, out + "\n" + err);
        assertTrue(out.toString().contains("continuous/drain: throughput"), out.toString());
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertEquals(2, doc.get("policies").size());
        for (JsonNode p : doc.get("policies")) {
            assertEquals(0, p.get("failed").asInt(), p.toString());
            assertEquals(12, p.get("ok").asInt() + p.get("cancelled").asInt(), p.toString());
            assertTrue(p.get("ok").asInt() > 0, p.toString());
            assertTrue(p.get("ttftP99").isNumber() && p.get("latencyP99").isNumber(), p.toString());
        }
        assertTrue(doc.get("ratio_throughput").isNumber() && doc.get("ratio_ttft_p99").isNumber(), doc.toString());
    }
}
