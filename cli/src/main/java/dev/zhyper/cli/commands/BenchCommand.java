package dev.zhyper.cli.commands;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.cli.common.CliException;
import dev.zhyper.cli.common.RuntimeOptions;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.DecoderInput;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.generate.DecodeSession;
import dev.zhyper.core.generate.GenerationRequest;
import dev.zhyper.core.generate.PromptTooLong;
import dev.zhyper.core.generate.SamplingParams;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.ProjectionDelta;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.core.nn.IntraOpThreads;
import dev.zhyper.core.nn.NoGrad;
import dev.zhyper.core.nn.Parameter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code zhyper bench}: decoding speed of the base model, of Zhyper-diag with one context and with a different
 * context per row, and the cost of computing a context's modulation (Zhyper-diag z vs the T2L head's A and B).
 * The variants are interleaved within every repeat so that machine noise hits all of them alike; each is
 * reported as median and min over the repeats, followed by the project's target ratios with PASS/FAIL.
 *
 * <p>Decoding runs on the same {@link DecodeSession} that {@link dev.zhyper.core.generate.BatchDecoder} and the
 * generator service drive (batched prefill, KV cache, greedy argmax, one new token per step, no stop tokens), so
 * every row produces exactly {@code --new-tokens} tokens. The prompt's forward call is timed separately as prefill;
 * decode tokens/s counts the {@code new-tokens - 1} single-token steps that follow.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure decoding speed without an adapter, with Zhyper-diag and one context, and with a",
                "different context per row, plus the time to compute a context's adapter (z vs T2L's A, B).",
                "Prints a table and the target ratios with PASS/FAIL; --json also writes the results as JSON."})
public final class BenchCommand implements Callable<Integer> {
    /** Width of the context embeddings fed to the hypernetwork (all-MiniLM-L6-v2's). */
    static final int EMBED_DIM = 384;
    static final double TARGET_CONTEXTS = 0.90;
    static final double TARGET_OVERHEAD = 0.85;

    @Spec
    CommandSpec spec;

    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory (default: a random ~100M-parameter Llama, written once to "
                    + "$ZHYPER_HOME/bench-models/llama-100m, ZHYPER_HOME defaulting to ~/.zhyper).")
    Path model;

    @Option(names = "--rank", defaultValue = "8", paramLabel = "R", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "B",
            description = "Rows decoded together; variant (c) uses this many different contexts (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--prompt-tokens", paramLabel = "N",
            description = "Prompt length of every row (default: 64; 8 with --quick).")
    Integer promptTokens;

    @Option(names = "--new-tokens", paramLabel = "N",
            description = "Tokens generated per row (default: 32; 4 with --quick).")
    Integer newTokens;

    @Option(names = "--repeats", defaultValue = "3", paramLabel = "N",
            description = "Measured rounds; each runs every variant once (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warmup", defaultValue = "1", paramLabel = "N",
            description = "Unmeasured rounds before the measured ones (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--z-iterations", paramLabel = "N",
            description = "Calls per round of each adapter-computation variant (default: 10; 2 with --quick).")
    Integer zIterations;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
            description = "Seed of the random model, adapter, contexts and prompts (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "N",
            description = "PyTorch intra-op threads (default: PyTorch's own choice, usually the core count).")
    Integer threads;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    Path json;

    @Option(names = "--quick", description = "Tiny model and short sequences (a smoke test; the numbers mean little).")
    boolean quick;

    /** Median, min and max of a metric over the measured samples. */
    record Stat(double median, double min, double max, List<Double> samples) {
        static Stat of(List<Double> xs) {
            double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int n = s.length;
            double med = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
            return new Stat(med, s[0], s[n - 1], List.copyOf(xs));
        }
    }

    @Override
    public Integer call() {
        int prompt = promptTokens != null ? promptTokens : quick ? 8 : 64;
        int fresh = newTokens != null ? newTokens : quick ? 4 : 32;
        int zIters = zIterations != null ? zIterations : quick ? 2 : 10;
        int embedDim = quick ? 32 : EMBED_DIM;
        if (rank < 1 || batch < 1 || prompt < 1 || repeats < 1 || warmup < 0 || zIters < 1) {
            throw new CliException("--rank, --batch, --prompt-tokens, --repeats and --z-iterations must be "
                    + "positive and --warmup non-negative");
        }
        if (fresh < 2) {
            throw new CliException("--new-tokens must be at least 2 (the first token comes from the prefill)");
        }
        if (threads != null) {
            if (threads < 1) {
                throw new CliException("--threads must be positive");
            }
            Engine.getEngine("PyTorch"); // loads the native library
            JniUtils.setNumThreads(threads);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path tempModel = null;
        Path dir = model;
        try {
            if (dir == null && quick) {
                tempModel = Files.createTempDirectory("zhyper-bench-");
                dir = RandomModels.writeLlama(tempModel.resolve("llama-tiny"),
                        new RandomModels.LlamaShape(128, 64, 128, 2, 4, 2, 256), null, seed);
            } else if (dir == null) {
                dir = defaultModel(err);
            }
            run(dir, prompt, fresh, zIters, embedDim, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (tempModel != null) {
                deleteTree(tempModel);
            }
        }
        return 0;
    }

    private void run(Path dir, int prompt, int fresh, int zIters, int embedDim, PrintWriter out, PrintWriter err)
            throws IOException {
        err.println("bench: loading " + dir);
        err.flush();
        try (DecoderModel base = DecoderModel.load(dir, runtime.modelOptions())) {
            ModelConfig cfg = base.config();
            try {
                PromptTooLong.check(prompt, fresh, cfg.maxPositions());
            } catch (PromptTooLong e) {
                throw new CliException("--prompt-tokens + --new-tokens: " + e.getMessage());
            }
            long baseParams = base.parameters().all().stream().mapToLong(Parameter::size).sum();
            HyperSpec hyper = HyperSpec.defaults(embedDim);
            try (ZhyperAdapter diag = randomAdapter(cfg, AdapterMethod.DIAG, hyper);
                 ZhyperAdapter t2l = randomAdapter(cfg, AdapterMethod.T2L, hyper)) {
                SplittableRandom rng = new SplittableRandom(seed ^ 0x5EEDL);
                float[][] contexts = new float[batch][embedDim];
                for (float[] c : contexts) {
                    for (int j = 0; j < embedDim; j++) {
                        c[j] = (float) rng.nextGaussian();
                    }
                }
                int[][] prompts = new int[batch][prompt];
                for (int[] p : prompts) {
                    for (int j = 0; j < prompt; j++) {
                        p[j] = 4 + rng.nextInt(cfg.vocabSize() - 4);
                    }
                }
                List<ContextModulation> many = diag.modulate(contexts);
                List<ContextModulation> one = Collections.nCopies(batch, many.get(0));
                if (batch > 1 && Arrays.equals(many.get(0).values(), many.get(1).values())) {
                    throw new IllegalStateException("different contexts gave the same z: the hypernetwork is inert");
                }
                float[][] ctx1 = {contexts[0]};
                long diagBytes = many.get(0).bytes();
                long t2lBytes = t2l.modulate(ctx1).get(0).bytes();

                List<Double> a = new ArrayList<>();
                List<Double> b = new ArrayList<>();
                List<Double> c = new ArrayList<>();
                List<Double> pa = new ArrayList<>();
                List<Double> pb = new ArrayList<>();
                List<Double> pc = new ArrayList<>();
                List<Double> zDiag1 = new ArrayList<>();
                List<Double> zT2l1 = new ArrayList<>();
                List<Double> zDiagB = new ArrayList<>();
                List<Double> zT2lB = new ArrayList<>();
                List<Double> cb = new ArrayList<>(); // paired ratios, one per round (or per z iteration)
                List<Double> ba = new ArrayList<>();
                List<Double> ca = new ArrayList<>();
                List<Double> zr1 = new ArrayList<>();
                List<Double> zrB = new ArrayList<>();
                List<Double> d1 = new ArrayList<>();  // batch 1, base model: decode tokens/s
                List<Double> p1 = new ArrayList<>();  // batch 1, base model: prefill tokens/s
                List<Double> bw = new ArrayList<>();  // read bandwidth, GB/s
                List<Double> gv = new ArrayList<>();  // GEMV bandwidth over the projection weights, GB/s
                long decodeTokens = (long) batch * (fresh - 1);
                int[][] prompt1 = {prompts[0]};
                for (int round = 0; round < warmup + repeats; round++) {
                    boolean measured = round >= warmup;
                    err.printf(Locale.ROOT, "bench: %s round %d/%d%n", measured ? "measured" : "warmup",
                            measured ? round - warmup + 1 : round + 1, measured ? repeats : warmup);
                    err.flush();
                    double[][] t = decodeInterleaved(base, Arrays.asList(null, diag, diag),
                            Arrays.asList(null, one, many), prompts, fresh);
                    double[][] single = decodeInterleaved(base, Arrays.asList((ZhyperAdapter) null),
                            Arrays.asList((List<ContextModulation>) null), prompt1, fresh);
                    double gbps = readBandwidth(base.manager(), cfg);
                    double gemv = gemvBandwidth(base);
                    double[][] z = new double[zIters][4];
                    for (int i = 0; i < zIters; i++) {
                        z[i][0] = timeModulate(diag, ctx1);
                        z[i][1] = timeModulate(t2l, ctx1);
                        z[i][2] = timeModulate(diag, contexts) / batch;
                        z[i][3] = timeModulate(t2l, contexts) / batch;
                    }
                    if (!measured) {
                        continue;
                    }
                    d1.add((fresh - 1) / (single[0][1] / 1e3));
                    p1.add(prompt / (single[0][0] / 1e3));
                    bw.add(gbps);
                    gv.add(gemv);
                    a.add(decodeTokens / (t[0][1] / 1e3));
                    b.add(decodeTokens / (t[1][1] / 1e3));
                    c.add(decodeTokens / (t[2][1] / 1e3));
                    pa.add(t[0][0]);
                    pb.add(t[1][0]);
                    pc.add(t[2][0]);
                    cb.add(c.get(c.size() - 1) / b.get(b.size() - 1));
                    ba.add(b.get(b.size() - 1) / a.get(a.size() - 1));
                    ca.add(c.get(c.size() - 1) / a.get(a.size() - 1));
                    for (double[] zi : z) {
                        zDiag1.add(zi[0]);
                        zT2l1.add(zi[1]);
                        zDiagB.add(zi[2]);
                        zT2lB.add(zi[3]);
                        zr1.add(zi[0] / zi[1]);
                        zrB.add(zi[2] / zi[3]);
                    }
                }
                Map<String, Stat> stats = new LinkedHashMap<>();
                stats.put("a", Stat.of(a));
                stats.put("b", Stat.of(b));
                stats.put("c", Stat.of(c));
                stats.put("prefill_a", Stat.of(pa));
                stats.put("prefill_b", Stat.of(pb));
                stats.put("prefill_c", Stat.of(pc));
                stats.put("z_diag_1", Stat.of(zDiag1));
                stats.put("z_t2l_1", Stat.of(zT2l1));
                stats.put("z_diag_b", Stat.of(zDiagB));
                stats.put("z_t2l_b", Stat.of(zT2lB));
                stats.put("r_cb", Stat.of(cb));
                stats.put("r_ba", Stat.of(ba));
                stats.put("r_ca", Stat.of(ca));
                stats.put("r_z1", Stat.of(zr1));
                stats.put("r_zb", Stat.of(zrB));
                stats.put("decode_1", Stat.of(d1));
                stats.put("prefill_1", Stat.of(p1));
                stats.put("bandwidth", Stat.of(bw));
                stats.put("gemv_bandwidth", Stat.of(gv));
                Report r = new Report(dir, cfg, baseParams, weightBytesPerToken(base), prompt, fresh, zIters, embedDim,
                        diag.sites().size(), diagBytes, t2lBytes, stats);
                String text = r.table();
                out.print(text);
                out.flush();
                if (json != null) {
                    Path parent = json.toAbsolutePath().getParent();
                    if (parent != null) {
                        Files.createDirectories(parent);
                    }
                    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), r.json());
                }
            }
        }
    }

    /** An adapter of the given method whose every parameter is random and non-zero (same trunk for all methods). */
    private ZhyperAdapter randomAdapter(ModelConfig cfg, AdapterMethod method, HyperSpec hyper) {
        ZhyperAdapter ad = new ZhyperAdapter(cfg, AdapterSpec.of(rank, method), hyper, runtime.modelOptions().device(),
                runtime.modelOptions().dtype(), seed);
        try (NDManager m = ad.manager().newSubManager()) {
            for (Parameter p : ad.parameters().all()) {
                // seeded by name, so the trunk shared by diag and T2L gets identical values
                SplittableRandom rng = new SplittableRandom(seed * 31 + p.name().hashCode());
                Shape shape = p.array().getShape();
                long[] dims = shape.getShape();
                boolean loraB = p.name().startsWith("lora.") && p.name().endsWith(".B");
                double bound = dims.length >= 2 ? 1.0 / Math.sqrt(dims[dims.length - 1]) : 0.1;
                if (loraB) {
                    bound = 0.01; // small but non-zero: the update is visible without blowing up the logits
                }
                float offset = p.name().endsWith("norm.weight") ? 1f : 0f;
                float[] v = new float[(int) shape.size()];
                for (int i = 0; i < v.length; i++) {
                    float x = (float) ((rng.nextDouble() * 2 - 1) * bound);
                    v[i] = offset + (x == 0f ? (float) bound / 2 : x);
                }
                NDArray arr = m.create(v, shape);
                p.assign(arr);
            }
        }
        return ad;
    }

    /**
     * One greedy decoding of the batch on a {@link DecodeSession} (the decode loop {@code BatchDecoder} and the
     * generator service drive): the first step prefills the prompts together (building the rows' adapter), every
     * later step feeds one token per row through the KV cache. No stop tokens and no text decoding, so every row
     * yields exactly {@code fresh} tokens. Steps are called from outside so that several decodings can advance in
     * lockstep; each accumulates only its own time.
     */
    static final class Decoding implements AutoCloseable {
        private final DecodeSession session;
        private final List<DecodeSession.Row> rows = new ArrayList<>();
        long prefillNanos;
        long decodeNanos;
        long checksum;

        Decoding(DecoderModel base, ZhyperAdapter adapter, List<ContextModulation> mods, int[][] prompts, int fresh) {
            this.session = new DecodeSession(base, adapter, null, Integer.MAX_VALUE);
            for (int i = 0; i < prompts.length; i++) {
                rows.add(session.add(new GenerationRequest(prompts[i], adapter == null ? null : mods.get(i),
                        SamplingParams.greedy(), fresh, Set.of(), List.of()), null));
            }
        }

        boolean done() { return session.isEmpty(); }

        /** Runs the next step (the prefill first, then one token per row). */
        void step() {
            if (session.isEmpty()) {
                return;
            }
            session.step();
            prefillNanos = session.prefillNanos();
            decodeNanos = session.decodeNanos();
            if (session.isEmpty()) {
                for (DecodeSession.Row r : rows) {
                    for (int t : r.result().tokens()) {
                        checksum = checksum * 31 + t;
                    }
                }
            }
        }

        @Override
        public void close() {
            session.close();
        }
    }

    /**
     * Decodes the variants in lockstep, step by step in rotating order, so that a burst of load from other
     * processes slows all of them alike. Returns {prefill ms, decode ms} per variant.
     */
    static double[][] decodeInterleaved(DecoderModel base, List<ZhyperAdapter> adapters,
                                        List<List<ContextModulation>> rows, int[][] prompts, int fresh) {
        int n = adapters.size();
        List<Decoding> runs = new ArrayList<>();
        try (NoGrad ignored = new NoGrad()) {
            for (int v = 0; v < n; v++) {
                runs.add(new Decoding(base, adapters.get(v), rows.get(v), prompts, fresh));
            }
            for (int s = 0; s < fresh; s++) {
                for (int k = 0; k < n; k++) {
                    runs.get((s + k) % n).step();
                }
            }
            double[][] out = new double[n][];
            for (int v = 0; v < n; v++) {
                out[v] = new double[] {runs.get(v).prefillNanos / 1e6, runs.get(v).decodeNanos / 1e6};
            }
            return out;
        } finally {
            for (Decoding d : runs) {
                d.close();
            }
        }
    }

    /** Elements of the buffer whose sum measures the read bandwidth: 1 GiB of float32, far beyond any cache. */
    static final long BANDWIDTH_ELEMENTS = 1L << 28;

    /**
     * Read bandwidth in GB/s: the median of 5 sums over a float32 buffer larger than the caches (the model's size
     * or 1 GiB, whichever is smaller; at least 64 MiB), on the thread count a batch-1 decode step uses.
     */
    static double readBandwidth(NDManager parent, ModelConfig cfg) {
        long elements = Math.max(1L << 24, Math.min(BANDWIDTH_ELEMENTS, weightElementsPerToken(cfg)));
        try (NoGrad ignored = new NoGrad(); IntraOpThreads threads = IntraOpThreads.forRows(1);
             NDManager m = parent.newSubManager()) {
            NDArray buf = m.ones(new Shape(elements));
            List<Double> rates = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                long t0 = System.nanoTime();
                float s = buf.sum().getFloat();
                long ns = System.nanoTime() - t0;
                if (Math.abs(s - elements) > 1e-3 * elements) {
                    throw new IllegalStateException("bandwidth probe summed to " + s + ", not " + elements);
                }
                if (i > 0) {
                    rates.add(elements * 4.0 / ns);
                }
            }
            return Stat.of(rates).median();
        }
    }

    /** Weights a decode step reads once per token: every matrix but the embedding table (read one row), unless tied. */
    /**
     * GEMV bandwidth in GB/s: one batch-1 row through every projection weight of the model, layer by layer as a
     * decode step visits them (the weights far exceed the caches), on the thread count a batch-1 decode step uses;
     * the median of 5 sweeps after one unmeasured. Beside {@link #readBandwidth} it shows how much of the memory's
     * speed the engine's matrix-vector product reaches.
     */
    static double gemvBandwidth(DecoderModel base) {
        ModelConfig cfg = base.config();
        try (NoGrad ignored = new NoGrad(); IntraOpThreads threads = IntraOpThreads.forRows(1);
             NDManager m = base.manager().newSubManager()) {
            Map<Integer, NDArray> inputs = new HashMap<>();
            long bytes = 0;
            for (dev.zhyper.core.model.TargetModule t : dev.zhyper.core.model.TargetModule.values()) {
                inputs.computeIfAbsent(cfg.inDim(t), d -> m.ones(new Shape(1, 1, d), base.options().dtype()));
                bytes += (long) cfg.inDim(t) * cfg.outDim(t) * base.options().dtype().getNumOfBytes();
            }
            bytes *= cfg.numLayers();
            List<Double> rates = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                try (NDManager sweep = m.newSubManager()) {
                    long t0 = System.nanoTime();
                    NDArray last = null;
                    for (int l = 0; l < cfg.numLayers(); l++) {
                        for (dev.zhyper.core.model.TargetModule t : dev.zhyper.core.model.TargetModule.values()) {
                            last = Linear.linear(inputs.get(cfg.inDim(t)), base.projectionWeight(l, t))
                                    .singletonOrThrow();
                            last.attach(sweep);
                        }
                    }
                    last.get(0).toFloatArray();
                    long ns = System.nanoTime() - t0;
                    if (i > 0) {
                        rates.add(bytes / (double) ns);
                    }
                }
            }
            return Stat.of(rates).median();
        }
    }

    static long weightElementsPerToken(ModelConfig cfg) {
        long d = cfg.hiddenSize();
        long perLayer = 0;
        for (dev.zhyper.core.model.TargetModule m : dev.zhyper.core.model.TargetModule.values()) {
            perLayer += (long) cfg.inDim(m) * cfg.outDim(m);
        }
        return perLayer * cfg.numLayers() + (long) cfg.vocabSize() * d;  // the lm_head (or the tied table)
    }

    static long weightBytesPerToken(DecoderModel base) {
        return weightElementsPerToken(base.config()) * base.options().dtype().getNumOfBytes();
    }

    /** Microseconds of one call computing the adapters of all the given contexts. */
    static double timeModulate(ZhyperAdapter adapter, float[][] contexts) {
        long t0 = System.nanoTime();
        List<ContextModulation> mods = adapter.modulate(contexts);
        double us = (System.nanoTime() - t0) / 1e3;
        if (mods.size() != contexts.length) {
            throw new IllegalStateException("modulate returned " + mods.size() + " modulations");
        }
        return us;
    }

    /** The printed table and the JSON document of one run. */
    private final class Report {
        final Path dir;
        final ModelConfig cfg;
        final long baseParams;
        final long weightBytes;
        final int prompt;
        final int fresh;
        final int zIters;
        final int embedDim;
        final int sites;
        final long diagBytes;
        final long t2lBytes;
        final Map<String, Stat> stats;
        final int cores = Runtime.getRuntime().availableProcessors();
        final String javaVersion = System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")";
        final String engine;
        final int torchThreads;
        final int interopThreads;

        Report(Path dir, ModelConfig cfg, long baseParams, long weightBytes, int prompt, int fresh, int zIters,
               int embedDim, int sites, long diagBytes, long t2lBytes, Map<String, Stat> stats) {
            this.dir = dir;
            this.cfg = cfg;
            this.baseParams = baseParams;
            this.weightBytes = weightBytes;
            this.prompt = prompt;
            this.fresh = fresh;
            this.zIters = zIters;
            this.embedDim = embedDim;
            this.sites = sites;
            this.diagBytes = diagBytes;
            this.t2lBytes = t2lBytes;
            this.stats = stats;
            Engine e = Engine.getEngine("PyTorch");
            this.engine = e.getEngineName() + " " + e.getVersion();
            this.torchThreads = JniUtils.getNumThreads();
            this.interopThreads = JniUtils.getNumInteropThreads();
        }

        /** The median over rounds of a paired ratio (both variants measured in the same round). */
        double ratio(String key) { return stats.get(key).median(); }

        String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "zhyper bench: %s%n", dir));
            sb.append(String.format(Locale.ROOT,
                    "model: %s, %,d parameters (%d layers, hidden %d, %d heads / %d kv, vocab %d)%n",
                    cfg.family().toString().toLowerCase(Locale.ROOT), baseParams, cfg.numLayers(), cfg.hiddenSize(),
                    cfg.numHeads(), cfg.numKvHeads(), cfg.vocabSize()));
            sb.append(String.format(Locale.ROOT,
                    "adapter: zhyper-diag rank %d on %s, %d sites, random A, B and hypernetwork (d_c %d)%n",
                    rank, targetsText(), sites, embedDim));
            sb.append(String.format(Locale.ROOT,
                    "run: batch %d, prompt %d tokens, %d new tokens (greedy, KV cache), %d repeats + %d warmup, "
                            + "%s %s%n", batch, prompt, fresh, repeats, warmup, runtime.modelOptions().device(),
                    runtime.modelOptions().dtype().toString().toLowerCase(Locale.ROOT)));
            sb.append(String.format(Locale.ROOT, "machine: %d cores, java %s, %s, torch threads %d (interop %d)%n",
                    cores, javaVersion, engine, torchThreads, interopThreads));
            sb.append('\n');
            sb.append(String.format(Locale.ROOT, "%-52s %12s %12s  %s%n", "measurement", "median", "best", "unit"));
            row(sb, "(a) decode, base model (no adapter)", stats.get("a"), "tokens/s", true);
            row(sb, "(b) decode, zhyper-diag, one context x " + batch, stats.get("b"), "tokens/s", true);
            row(sb, "(c) decode, zhyper-diag, " + batch + " different contexts", stats.get("c"), "tokens/s", true);
            row(sb, "    prefill (a) base", stats.get("prefill_a"), "ms", false);
            row(sb, "    prefill (b) one context", stats.get("prefill_b"), "ms", false);
            row(sb, "    prefill (c) " + batch + " contexts", stats.get("prefill_c"), "ms", false);
            row(sb, "(d) z, zhyper-diag, batch 1", stats.get("z_diag_1"), "us/context", false);
            row(sb, "(d) A,B, t2l, batch 1", stats.get("z_t2l_1"), "us/context", false);
            row(sb, "(d) z, zhyper-diag, batch " + batch, stats.get("z_diag_b"), "us/context", false);
            row(sb, "(d) A,B, t2l, batch " + batch, stats.get("z_t2l_b"), "us/context", false);
            sb.append("best: the fastest round (min time; for tokens/s the max rate)\n\n");
            sb.append(String.format(Locale.ROOT, "%-52s %12s %12s  %s%n", "batch 1 (base model, one row)", "median",
                    "best", "unit"));
            row(sb, "decode, batch 1", stats.get("decode_1"), "tokens/s", true);
            row(sb, "prefill, batch 1 (" + prompt + "-token prompt)", stats.get("prefill_1"), "tokens/s", true);
            row(sb, "read bandwidth (sum over " + bandwidthMiB() + " MiB)", stats.get("bandwidth"), "GB/s", true);
            sb.append(String.format(Locale.ROOT, "%-52s %12.1f %12s  %s%n", "roofline: bandwidth / " + weightMiB()
                    + " MiB weights per token", roofline(), "", "tokens/s"));
            sb.append(String.format(Locale.ROOT, "%-52s %12.3f %12s  %s%n", "decode batch 1 / roofline",
                    stats.get("decode_1").median() / roofline(), "", "info"));
            row(sb, "GEMV bandwidth (batch 1, all projection weights)", stats.get("gemv_bandwidth"), "GB/s", true);
            sb.append(String.format(Locale.ROOT, "%-52s %12.1f %12s  %s%n", "GEMV roofline: GEMV bandwidth / weights",
                    gemvRoofline(), "", "tokens/s"));
            sb.append('\n');
            sb.append(String.format(Locale.ROOT, "%-52s %12s %12s  %s%n", "ratio (median of per-round ratios)", "value", "target",
                    "result"));
            sb.append(String.format(Locale.ROOT, "%-52s %12.3f %12s  %s%n", "(a)/(a) baseline", 1.0, "", ""));
            ratioRow(sb, "(c)/(b) 16 contexts vs one context", ratio("r_cb"), TARGET_CONTEXTS);
            ratioRow(sb, "(b)/(a) adapter overhead <= 15%", ratio("r_ba"), TARGET_OVERHEAD);
            ratioRow(sb, "(c)/(a) 16 contexts vs base", ratio("r_ca"), Double.NaN);
            ratioRow(sb, "z time / t2l time, batch 1", ratio("r_z1"), Double.NaN);
            ratioRow(sb, "z time / t2l time, batch " + batch, ratio("r_zb"), Double.NaN);
            sb.append('\n');
            sb.append(String.format(Locale.ROOT,
                    "per-context adapter: zhyper-diag %,d bytes (L*T*r*4) vs t2l %,d bytes (L*T*r*(d_in+d_out)*4), "
                            + "%.0fx smaller%n", diagBytes, t2lBytes, (double) t2lBytes / diagBytes));
            sb.append(String.format(Locale.ROOT, "base model parameters: %,d%n", baseParams));
            return sb.toString();
        }

        /** Decode tokens/s if every token only streamed the weights at the measured bandwidth. */
        double roofline() { return stats.get("bandwidth").median() * 1e9 / weightBytes; }

        /** Decode tokens/s if every token only streamed the weights at the measured GEMV bandwidth. */
        double gemvRoofline() { return stats.get("gemv_bandwidth").median() * 1e9 / weightBytes; }

        long weightMiB() { return Math.round(weightBytes / 1048576.0); }

        long bandwidthMiB() {
            return Math.round(Math.max(1L << 24, Math.min(BANDWIDTH_ELEMENTS, weightElementsPerToken(cfg))) * 4
                    / 1048576.0);
        }

        private String targetsText() {
            return String.join(",", AdapterSpec.DEFAULT_TARGETS.stream().map(t -> t.hfName()).toList());
        }

        private void row(StringBuilder sb, String label, Stat s, String unit, boolean higherIsBetter) {
            // best = the round with the least time: the min for times, the max for rates
            double best = higherIsBetter ? s.max() : s.min();
            sb.append(String.format(Locale.ROOT, "%-52s %12.1f %12.1f  %s%n", label, s.median(), best, unit));
        }

        private void ratioRow(StringBuilder sb, String label, double value, double target) {
            if (Double.isNaN(target)) {
                sb.append(String.format(Locale.ROOT, "%-52s %12.3f %12s  %s%n", label, value, "", "info"));
            } else {
                sb.append(String.format(Locale.ROOT, "%-52s %12.3f %12s  %s%n", label, value,
                        String.format(Locale.ROOT, ">= %.2f", target), value >= target ? "PASS" : "FAIL"));
            }
        }

        ObjectNode json() {
            ObjectMapper om = new ObjectMapper();
            ObjectNode root = om.createObjectNode();
            ObjectNode machine = root.putObject("machine");
            machine.put("cores", cores);
            machine.put("java", javaVersion);
            machine.put("engine", engine);
            machine.put("torch_threads", torchThreads);
            machine.put("torch_interop_threads", interopThreads);
            ObjectNode setup = root.putObject("setup");
            setup.put("model", dir.toString());
            setup.put("model_parameters", baseParams);
            setup.put("layers", cfg.numLayers());
            setup.put("hidden_size", cfg.hiddenSize());
            setup.put("method", AdapterMethod.DIAG.id());
            setup.put("rank", rank);
            setup.put("sites", sites);
            setup.put("embed_dim", embedDim);
            setup.put("batch", batch);
            setup.put("prompt_tokens", prompt);
            setup.put("new_tokens", fresh);
            setup.put("repeats", repeats);
            setup.put("warmup", warmup);
            setup.put("z_iterations", zIters);
            setup.put("device", runtime.modelOptions().device().toString());
            setup.put("dtype", runtime.modelOptions().dtype().toString().toLowerCase(Locale.ROOT));
            ObjectNode ms = root.putObject("measurements");
            put(ms, "decode_base_tokens_per_s", stats.get("a"));
            put(ms, "decode_diag_one_context_tokens_per_s", stats.get("b"));
            put(ms, "decode_diag_many_contexts_tokens_per_s", stats.get("c"));
            put(ms, "prefill_base_ms", stats.get("prefill_a"));
            put(ms, "prefill_diag_one_context_ms", stats.get("prefill_b"));
            put(ms, "prefill_diag_many_contexts_ms", stats.get("prefill_c"));
            put(ms, "z_diag_batch1_us_per_context", stats.get("z_diag_1"));
            put(ms, "t2l_batch1_us_per_context", stats.get("z_t2l_1"));
            put(ms, "z_diag_batch_us_per_context", stats.get("z_diag_b"));
            put(ms, "t2l_batch_us_per_context", stats.get("z_t2l_b"));
            put(ms, "batch1_decode_base_tokens_per_s", stats.get("decode_1"));
            put(ms, "batch1_prefill_base_tokens_per_s", stats.get("prefill_1"));
            put(ms, "read_bandwidth_gb_per_s", stats.get("bandwidth"));
            ObjectNode roof = root.putObject("roofline");
            roof.put("weight_bytes_per_token", weightBytes);
            roof.put("decode_tokens_per_s", roofline());
            roof.put("batch1_decode_fraction", stats.get("decode_1").median() / roofline());
            put(ms, "gemv_bandwidth_gb_per_s", stats.get("gemv_bandwidth"));
            roof.put("gemv_decode_tokens_per_s", gemvRoofline());
            ObjectNode ratios = root.putObject("ratios");
            putRatio(ratios, "many_vs_one_context", ratio("r_cb"), TARGET_CONTEXTS);
            putRatio(ratios, "adapter_vs_base", ratio("r_ba"), TARGET_OVERHEAD);
            putRatio(ratios, "many_contexts_vs_base", ratio("r_ca"), Double.NaN);
            putRatio(ratios, "z_vs_t2l_batch1", ratio("r_z1"), Double.NaN);
            putRatio(ratios, "z_vs_t2l_batch", ratio("r_zb"), Double.NaN);
            ObjectNode bytes = root.putObject("per_context_adapter_bytes");
            bytes.put("zhyper_diag", diagBytes);
            bytes.put("t2l", t2lBytes);
            return root;
        }

        private void put(ObjectNode parent, String name, Stat s) {
            ObjectNode n = parent.putObject(name);
            n.put("median", s.median());
            n.put("min", s.min());
            n.put("max", s.max());
            ArrayNode arr = n.putArray("samples");
            s.samples().forEach(arr::add);
        }

        private void putRatio(ObjectNode parent, String name, double value, double target) {
            ObjectNode n = parent.putObject(name);
            n.put("value", value);
            if (!Double.isNaN(target)) {
                n.put("target", target);
                n.put("pass", value >= target);
            }
        }
    }

    /** The cached random ~100M Llama, written on first use (to a temporary sibling, then moved into place). */
    private static Path defaultModel(PrintWriter err) throws IOException {
        String home = System.getenv("ZHYPER_HOME");
        Path root = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".zhyper");
        Path dir = root.resolve("bench-models").resolve("llama-100m");
        if (Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve("model.safetensors"))) {
            return dir;
        }
        Files.createDirectories(dir.getParent());
        err.println("bench: writing a random ~100M-parameter Llama to " + dir + " (once)");
        err.flush();
        Path tmp = Files.createTempDirectory(dir.getParent(), "llama-100m.tmp-");
        try {
            RandomModels.writeLlama(tmp, RandomModels.LlamaShape.base100m(), null, 0);
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isRegularFile(dir.resolve("model.safetensors"))) { // not written by a concurrent run
                    throw e;
                }
            }
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
        return dir;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a leftover temporary directory is harmless
        }
    }
}
