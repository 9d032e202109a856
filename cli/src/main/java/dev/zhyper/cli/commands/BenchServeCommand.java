package dev.zhyper.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zhyper.cli.common.CliException;
import dev.zhyper.cli.stack.LocalStack;
import dev.zhyper.proto.v1.GenerateChunk;
import dev.zhyper.proto.v1.GenerateRequest;
import dev.zhyper.proto.v1.GeneratorGrpc;
import dev.zhyper.stack.StackLauncher;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code zhyper bench-serve}: the generator under an open-loop workload over real gRPC, with continuous and with
 * drain admission in the same run. Starts a Kafka broker and two generator processes (one per policy, same model,
 * checkpoint and settings), then sends the same seeded workload to each in interleaved rounds (continuous, drain,
 * drain, continuous, ...): Poisson arrivals, prompts of the task suite repeated 1-8 times, a mix of 1-token, short
 * and long answers, a description out of {@code --descriptions} distinct ones per request, and a share of clients
 * that cancel after a random delay. Every request is a GenerateStream call; TTFT is the time to its first message.
 * Reports per policy: completed, cancelled and failed requests, throughput (completion tokens/s and requests/s over
 * the round's wall time), TTFT and latency p50/p99, and the continuous/drain ratios with the target PASS/FAIL.
 */
@Command(name = "bench-serve", mixinStandardHelpOptions = true,
        description = {"Serving benchmark: starts generators with continuous and with drain admission and drives the",
                "same open-loop gRPC workload (Poisson arrivals, mixed prompt and answer lengths, 16+ descriptions,",
                "cancelling clients) against both in interleaved rounds; prints throughput, TTFT and latency",
                "p50/p99, failures and the continuous/drain ratios (target: >= 1.5x throughput or <= 0.5x p99 TTFT",
                "with 0 failures)."})
public final class BenchServeCommand implements java.util.concurrent.Callable<Integer> {

    static final List<String> POLICIES = List.of("continuous", "drain");

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Base model (default: models/zhyper-tiny).")
    Path model;

    @Option(names = "--checkpoint", paramLabel = "CKPT",
            description = "Adapter checkpoint served (default: models/zhyper-tiny-diag).")
    Path checkpoint;

    @Option(names = "--suite", paramLabel = "DIR", description = "Task suite for prompts and descriptions (default: data/suite).")
    Path suite;

    @Option(names = "--rate", defaultValue = "6", description = "Offered load, requests per second (default: 6).")
    double rate;

    @Option(names = "--requests", defaultValue = "240",
            description = "Requests per policy, split over the rounds (default: 240).")
    int requests;

    @Option(names = "--rounds", defaultValue = "4",
            description = "Rounds per policy, interleaved c,d,d,c,... (default: 4).")
    int rounds;

    @Option(names = "--cancel-share", defaultValue = "0.1",
            description = "Share of clients that cancel after 20-300 ms (default: 0.1).")
    double cancelShare;

    @Option(names = "--descriptions", defaultValue = "24", description = "Distinct descriptions (default: 24, >= 16).")
    int descriptions;

    @Option(names = "--long-tokens", defaultValue = "160", description = "max_tokens of long answers (default: 160).")
    int longTokens;

    @Option(names = "--max-batch", defaultValue = "16", description = "zhyper.batch.max-size of both (default: 16).")
    int maxBatch;

    @Option(names = "--seed", defaultValue = "1") long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    @Option(names = "--home", paramLabel = "DIR", description = "Logs and Kafka data (default: a temporary directory).")
    Path home;

    @Option(names = "--generator-jar", paramLabel = "JAR", hidden = true,
            description = "The generator's quarkus-run.jar (default: built from the repository).")
    Path generatorJar;

    /** One request of the workload. */
    record Item(long atNanos, String description, String prompt, int maxTokens, long cancelAfterMs) {}

    /** What happened to one request. */
    record Result(String outcome, double ttftMs, double latencyMs, int tokens, String error) {}

    /** One policy's figures. */
    record Summary(String policy, int ok, int cancelled, int failed, double tokensPerS, double requestsPerS,
                   double ttftP50, double ttftP99, double latencyP50, double latencyP99, List<String> errors) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (descriptions < 16) throw new CliException("--descriptions must be >= 16, got " + descriptions);
        if (rounds < 1 || requests < rounds) throw new CliException("need --requests >= --rounds >= 1");
        if (!(rate > 0)) throw new CliException("--rate must be > 0");
        Path root = LocalStack.repoRoot();
        Path modelDir = UpCommand.resolveModel(root, model);
        Path ckpt = (checkpoint != null ? checkpoint : root.resolve("models/zhyper-tiny-diag")).toAbsolutePath();
        if (!Files.isRegularFile(ckpt.resolve("manifest.json"))) throw new CliException("no checkpoint at " + ckpt);
        Path suiteDir = (suite != null ? suite : root.resolve("data/suite")).toAbsolutePath();
        Path jar = generatorJar;
        if (jar == null) {
            LocalStack.ensureBuilt(root, err);
            jar = LocalStack.runJar(root, "generator");
        }
        Path run = home != null ? home.toAbsolutePath() : Files.createTempDirectory("zhyper-bench-serve");
        List<Item> workload = workload(suiteDir, requests, new SplittableRandom(seed));
        Map<String, List<Result>> results = new LinkedHashMap<>();
        Map<String, Double> wallS = new LinkedHashMap<>();
        Map<String, Integer> tokens = new LinkedHashMap<>();
        try (StackLauncher stack = new StackLauncher(run).readyTimeout(Duration.ofMinutes(4))) {
            err.println("bench-serve: starting kafka and two generators (continuous, drain) in " + run);
            err.flush();
            stack.startKafka(StackLauncher.currentClasspath());
            Map<String, ManagedChannel> channels = new LinkedHashMap<>();
            for (String policy : POLICIES) {
                int port = freePort();
                Map<String, String> props = new LinkedHashMap<>();
                props.put("zhyper.model.dir", modelDir.toString());
                props.put("zhyper.checkpoint.dir", ckpt.toString());
                props.put("zhyper.batch.admission", policy);
                props.put("zhyper.batch.max-size", Integer.toString(maxBatch));
                props.put("ai.djl.pytorch.num_threads", "1");
                props.put("ai.djl.pytorch.num_interop_threads", "1");
                props.put("zhyper.queue.max-pending", "100000");
                stack.startService("generator-" + policy, jar, port, props);
                channels.put(policy, ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
                results.put(policy, new ArrayList<>());
                wallS.put(policy, 0.0);
                tokens.put(policy, 0);
            }
            try {
                // warm-up: every description once on both (modulation cache, JIT), not measured
                for (String policy : POLICIES) warmUp(channels.get(policy), workload);
                int per = requests / rounds;
                for (int r = 0; r < rounds; r++) {
                    List<Item> slice = workload.subList(r * per, r == rounds - 1 ? requests : (r + 1) * per);
                    List<String> order = r % 2 == 0 ? POLICIES : List.of(POLICIES.get(1), POLICIES.get(0));
                    for (String policy : order) {
                        long t0 = System.nanoTime();
                        List<Result> res = drive(channels.get(policy), slice);
                        double wall = (System.nanoTime() - t0) / 1e9;
                        results.get(policy).addAll(res);
                        wallS.merge(policy, wall, Double::sum);
                        tokens.merge(policy, res.stream().filter(x -> x.outcome.equals("ok")).mapToInt(Result::tokens)
                                .sum(), Integer::sum);
                        err.printf(Locale.ROOT, "  round %d %-10s %d requests in %.1f s%n", r + 1, policy, slice.size(), wall);
                        err.flush();
                    }
                }
            } finally {
                for (ManagedChannel c : channels.values()) c.shutdownNow();
            }
        }
        List<Summary> sums = new ArrayList<>();
        for (String policy : POLICIES) sums.add(summarize(policy, results.get(policy), wallS.get(policy), tokens.get(policy)));
        Summary c = sums.get(0);
        Summary d = sums.get(1);
        double thr = c.tokensPerS / d.tokensPerS;
        double ttft = c.ttftP99 / d.ttftP99;
        double lat = c.latencyP99 / d.latencyP99;
        boolean pass = (thr >= 1.5 || ttft <= 0.5) && c.failed == 0 && d.failed == 0;
        out.printf(Locale.ROOT, "bench-serve: %s + %s, %d requests per policy at %.1f req/s (Poisson), %d rounds "
                        + "interleaved, %d descriptions, %.0f%% cancelling clients, max batch %d%n",
                modelDir.getFileName(), ckpt.getFileName(), requests, rate, rounds, descriptions, cancelShare * 100, maxBatch);
        out.printf(Locale.ROOT, "%-11s %5s %9s %6s %10s %8s %10s %10s %10s %10s%n", "admission", "ok", "cancelled",
                "failed", "tokens/s", "req/s", "TTFT p50", "TTFT p99", "lat p50", "lat p99");
        for (Summary s : sums) {
            out.printf(Locale.ROOT, "%-11s %5d %9d %6d %10.1f %8.2f %8.0fms %8.0fms %8.0fms %8.0fms%n", s.policy, s.ok,
                    s.cancelled, s.failed, s.tokensPerS, s.requestsPerS, s.ttftP50, s.ttftP99, s.latencyP50,
                    s.latencyP99);
            for (String e : s.errors.stream().distinct().limit(5).toList()) out.println("    failure: " + e);
        }
        out.printf(Locale.ROOT, "continuous/drain: throughput %.2fx, TTFT p99 %.2fx, latency p99 %.2fx%n", thr, ttft, lat);
        out.printf(Locale.ROOT, "target (>= 1.5x throughput or <= 0.5x p99 TTFT, 0 failed): %s%n", pass ? "PASS" : "FAIL");
        out.flush();
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("requests_per_policy", requests);
            doc.put("rate", rate);
            doc.put("rounds", rounds);
            doc.put("descriptions", descriptions);
            doc.put("cancel_share", cancelShare);
            doc.put("policies", sums);
            doc.put("ratio_throughput", thr);
            doc.put("ratio_ttft_p99", ttft);
            doc.put("ratio_latency_p99", lat);
            doc.put("pass", pass);
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), doc);
        }
        return 0;
    }

    /** The seeded workload: arrival times, descriptions, prompts, answer lengths and cancellations. */
    List<Item> workload(Path suiteDir, int n, SplittableRandom rng) throws IOException {
        ObjectMapper om = new ObjectMapper();
        JsonNode desc = om.readTree(suiteDir.resolve("descriptions.train.json").toFile());
        List<String> tasks = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        desc.fieldNames().forEachRemaining(t -> {
            if (texts.size() < descriptions) {
                tasks.add(t);
                texts.add(desc.get(t).get(0).asText());
            }
        });
        if (texts.size() < 16) throw new CliException("the suite has only " + texts.size() + " tasks with descriptions");
        Map<String, List<String>> prompts = new LinkedHashMap<>();
        for (String line : Files.readAllLines(suiteDir.resolve("test.jsonl"))) {
            if (line.isBlank()) continue;
            JsonNode j = om.readTree(line);
            prompts.computeIfAbsent(j.get("task").asText(), k -> new ArrayList<>()).add(j.get("prompt").asText());
        }
        List<Item> items = new ArrayList<>();
        long at = 0;
        for (int i = 0; i < n; i++) {
            at += (long) (-Math.log(1 - rng.nextDouble()) / rate * 1e9);
            int t = rng.nextInt(tasks.size());
            List<String> ps = prompts.getOrDefault(tasks.get(t), List.of("abc"));
            String p = ps.get(rng.nextInt(ps.size()));
            int repeat = new int[] {1, 1, 1, 2, 4, 8}[rng.nextInt(6)];
            String prompt = String.join(" ", java.util.Collections.nCopies(repeat, p));
            double u = rng.nextDouble();
            int max = u < 0.3 ? 1 : u < 0.6 ? 2 + rng.nextInt(15) : longTokens / 2 + rng.nextInt(longTokens / 2 + 1);
            long cancel = rng.nextDouble() < cancelShare ? 20 + rng.nextInt(281) : -1;
            items.add(new Item(at, texts.get(t), prompt, max, cancel));
        }
        // each round starts at its own t = 0
        return items;
    }

    private static GenerateRequest request(Item it) {
        return GenerateRequest.newBuilder().setDescription(it.description).setPrompt(it.prompt)
                .setMaxTokens(it.maxTokens).build();
    }

    private static void warmUp(ManagedChannel ch, List<Item> workload) {
        GeneratorGrpc.GeneratorBlockingStub stub = GeneratorGrpc.newBlockingStub(ch);
        workload.stream().map(Item::description).distinct().forEach(d ->
                stub.generate(GenerateRequest.newBuilder().setDescription(d).setPrompt("abc").setMaxTokens(2).build()));
    }

    /** Sends the slice open-loop (each at its arrival time, relative to the slice's first) and waits for all. */
    static List<Result> drive(ManagedChannel ch, List<Item> slice) throws InterruptedException {
        GeneratorGrpc.GeneratorStub stub = GeneratorGrpc.newStub(ch);
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        Result[] out = new Result[slice.size()];
        CountDownLatch done = new CountDownLatch(slice.size());
        long origin = slice.get(0).atNanos;
        long start = System.nanoTime();
        try {
            for (int i = 0; i < slice.size(); i++) {
                Item it = slice.get(i);
                int k = i;
                long wait = start + (it.atNanos - origin) - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                long t0 = System.nanoTime();
                AtomicReference<ClientCallStreamObserver<GenerateRequest>> call = new AtomicReference<>();
                AtomicBoolean cancelled = new AtomicBoolean();
                stub.generateStream(request(it), new ClientResponseObserver<GenerateRequest, GenerateChunk>() {
                    long first;
                    int tokens;

                    @Override
                    public void beforeStart(ClientCallStreamObserver<GenerateRequest> rs) {
                        call.set(rs);
                    }

                    @Override
                    public void onNext(GenerateChunk c) {
                        if (first == 0) first = System.nanoTime();
                        if (c.hasFinal()) tokens = c.getFinal().getCompletionTokens();
                    }

                    @Override
                    public void onError(Throwable t) {
                        Status s = Status.fromThrowable(t);
                        boolean mine = cancelled.get() && s.getCode() == Status.Code.CANCELLED;
                        out[k] = new Result(mine ? "cancelled" : "failed", ms(first, t0), ms(System.nanoTime(), t0), 0,
                                mine ? null : s.getCode() + ": " + s.getDescription());
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        long end = System.nanoTime();
                        out[k] = new Result("ok", ms(first == 0 ? end : first, t0), ms(end, t0), tokens, null);
                        done.countDown();
                    }
                });
                if (it.cancelAfterMs >= 0) {
                    timer.schedule(() -> {
                        cancelled.set(true);
                        call.get().cancel("bench client cancels", null);
                    }, it.cancelAfterMs, TimeUnit.MILLISECONDS);
                }
            }
            if (!done.await(30, TimeUnit.MINUTES)) throw new CliException("requests did not finish in 30 minutes");
        } finally {
            timer.shutdownNow();
        }
        return Arrays.asList(out);
    }

    private static double ms(long t, long t0) {
        return t == 0 ? Double.NaN : (t - t0) / 1e6;
    }

    static Summary summarize(String policy, List<Result> rs, double wall, int tokens) {
        List<Result> ok = rs.stream().filter(r -> r.outcome.equals("ok")).toList();
        int cancelled = (int) rs.stream().filter(r -> r.outcome.equals("cancelled")).count();
        List<String> errors = rs.stream().filter(r -> r.outcome.equals("failed")).map(Result::error).toList();
        double[] ttft = ok.stream().mapToDouble(Result::ttftMs).sorted().toArray();
        double[] lat = ok.stream().mapToDouble(Result::latencyMs).sorted().toArray();
        return new Summary(policy, ok.size(), cancelled, errors.size(), tokens / wall, ok.size() / wall,
                pct(ttft, 0.5), pct(ttft, 0.99), pct(lat, 0.5), pct(lat, 0.99), errors);
    }

    /** Nearest-rank percentile of sorted values (NaN when empty). */
    static double pct(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
