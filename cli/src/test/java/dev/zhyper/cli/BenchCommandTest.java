package dev.zhyper.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code zhyper bench --quick}: every measurement and ratio is reported as a number (no timing assertions). */
class BenchCommandTest {
    private static final String NUM = "([0-9]+(?:\\.[0-9]+)?)";

    @TempDir
    Path tmp;

    @Test
    void quickRunReportsAllMeasurementsAndRatios() throws Exception {
        Path json = tmp.resolve("bench.json");
        CliRun run = CliRun.of("bench", "--quick", "--repeats", "1", "--json", json.toString());
        assertEquals(0, run.exitCode(), run.err());
        String out = run.out();

        positive(out, "(a) decode, base model (no adapter)", "tokens/s");
        positive(out, "(b) decode, zhyper-diag, one context x 16", "tokens/s");
        positive(out, "(c) decode, zhyper-diag, 16 different contexts", "tokens/s");
        positive(out, "    prefill (a) base", "ms");
        positive(out, "(d) z, zhyper-diag, batch 1", "us/context");
        positive(out, "(d) A,B, t2l, batch 1", "us/context");
        positive(out, "(d) z, zhyper-diag, batch 16", "us/context");
        positive(out, "(d) A,B, t2l, batch 16", "us/context");

        positive(out, "decode, batch 1", "tokens/s");
        positive(out, "prefill, batch 1 (8-token prompt)", "tokens/s");
        positive(out, "read bandwidth (sum over 64 MiB)", "GB/s");
        assertTrue(number(out, "roofline: bandwidth / \\d+ MiB weights per token\\s+" + NUM + "\\s+tokens/s") > 0, out);
        assertTrue(number(out, "decode batch 1 / roofline\\s+" + NUM + "\\s+info") > 0, out);
        positive(out, "GEMV bandwidth (batch 1, all projection weights)", "GB/s");
        assertTrue(number(out, "GEMV roofline: GEMV bandwidth / weights\\s+" + NUM + "\\s+tokens/s") > 0, out);

        assertEquals(1.0, number(out, Pattern.quote("(a)/(a) baseline") + "\\s+" + NUM), 1e-9);
        ratio(out, "(c)/(b) 16 contexts vs one context", ">= 0.90");
        ratio(out, "(b)/(a) adapter overhead <= 15%", ">= 0.85");
        assertTrue(number(out, "z time / t2l time, batch 1\\s+" + NUM + "\\s+info") > 0, out);
        assertTrue(number(out, "z time / t2l time, batch 16\\s+" + NUM + "\\s+info") > 0, out);

        // tiny model: L = 2 layers, T = 2 targets (q, v), r = 8; d_in + d_out = 64+64 (q) and 64+32 (v)
        assertTrue(out.contains("zhyper-diag 128 bytes"), out);
        assertTrue(out.contains("t2l 14,336 bytes"), out);
        assertTrue(Pattern.compile("base model parameters: [0-9,]+").matcher(out).find(), out);
        assertTrue(Pattern.compile("machine: \\d+ cores, java .+, torch threads \\d+").matcher(out).find(), out);

        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        for (String m : new String[] {"decode_base_tokens_per_s", "decode_diag_one_context_tokens_per_s",
                "decode_diag_many_contexts_tokens_per_s", "z_diag_batch1_us_per_context", "t2l_batch1_us_per_context",
                "z_diag_batch_us_per_context", "t2l_batch_us_per_context", "batch1_decode_base_tokens_per_s",
                "batch1_prefill_base_tokens_per_s", "read_bandwidth_gb_per_s", "gemv_bandwidth_gb_per_s"}) {
            JsonNode s = doc.get("measurements").get(m);
            assertTrue(s.get("median").asDouble() > 0 && s.get("min").asDouble() > 0, m);
        }
        // tiny model: 2 layers x (q, o 64·64; k, v 32·64; gate, up, down 128·64) + lm_head 128·64 floats
        assertEquals(4L * (2 * (2 * 64 * 64 + 2 * 32 * 64 + 3 * 128 * 64) + 128 * 64),
                doc.get("roofline").get("weight_bytes_per_token").asLong());
        assertTrue(doc.get("roofline").get("decode_tokens_per_s").asDouble() > 0);
        assertTrue(doc.get("roofline").get("gemv_decode_tokens_per_s").asDouble() > 0);
        assertTrue(doc.get("ratios").get("many_vs_one_context").get("pass").isBoolean());
        assertTrue(doc.get("ratios").get("adapter_vs_base").get("pass").isBoolean());
        assertEquals(128, doc.get("per_context_adapter_bytes").get("zhyper_diag").asLong());
        assertEquals(14336, doc.get("per_context_adapter_bytes").get("t2l").asLong());
    }

    @Test
    void tooFewNewTokensIsAnError() {
        CliRun run = CliRun.of("bench", "--quick", "--new-tokens", "1");
        assertEquals(1, run.exitCode());
        assertEquals("", run.out());
        assertTrue(run.err().contains("--new-tokens must be at least 2"), run.err());
    }

    private static void positive(String out, String label, String unit) {
        String re = Pattern.quote(label) + "\\s+" + NUM + "\\s+" + NUM + "\\s+" + Pattern.quote(unit);
        Matcher m = Pattern.compile(re).matcher(out);
        assertTrue(m.find(), "no line '" + label + " <median> <best> " + unit + "' in:\n" + out);
        assertTrue(Double.parseDouble(m.group(1)) > 0 && Double.parseDouble(m.group(2)) > 0, m.group());
    }

    private static void ratio(String out, String label, String target) {
        String re = Pattern.quote(label) + "\\s+" + NUM + "\\s+" + Pattern.quote(target) + "\\s+(PASS|FAIL)";
        Matcher m = Pattern.compile(re).matcher(out);
        assertTrue(m.find(), "no ratio line '" + label + "' with " + target + " and PASS/FAIL in:\n" + out);
        assertTrue(Double.parseDouble(m.group(1)) > 0, m.group());
    }

    private static double number(String out, String re) {
        Matcher m = Pattern.compile(re).matcher(out);
        assertTrue(m.find(), "no match for " + re + " in:\n" + out);
        return Double.parseDouble(m.group(1));
    }
}
