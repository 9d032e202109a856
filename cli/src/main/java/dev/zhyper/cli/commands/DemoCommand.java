package dev.zhyper.cli.commands;

import dev.zhyper.core.eval.ExactMatch;
import dev.zhyper.core.io.DurableFiles;
import dev.zhyper.cli.common.CliException;
import dev.zhyper.core.data.TrainingExample;
import dev.zhyper.core.checkpoint.AdapterCheckpoint;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.lab.experiments.SuiteData;
import dev.zhyper.service.common.ProtoJson;
import dev.zhyper.cli.stack.LocalStack;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.lab.suite.TaskSuite;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.proto.v1.PromoteRequest;
import dev.zhyper.proto.v1.TrainerGrpc;
import dev.zhyper.proto.v1.GenerateRequest;
import dev.zhyper.proto.v1.GenerateResponse;
import dev.zhyper.proto.v1.GeneratorGrpc;
import dev.zhyper.proto.v1.HypernetGrpc;
import dev.zhyper.proto.v1.ModulateRequest;
import dev.zhyper.proto.v1.ModulateResponse;
import dev.zhyper.proto.v1.TrainingExampleEvent;
import dev.zhyper.proto.v1.TrainingProgressEvent;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code zhyper demo}: the main job end to end over the services. Starts the embedded stack, streams the suite's
 * training examples through Kafka to the trainer, shows the training progress, waits for the checkpoint and its
 * hot-load into hypernet and generator, then asks the Generator API with held-out descriptions (seen and held-out
 * tasks), prints base vs adapted vs expected answers and an accuracy table, and stops the stack.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The main job end to end: start the embedded stack, stream training examples of the task suite",
                "through Kafka to the trainer, wait for the new checkpoint to be hot-loaded, then compare the base",
                "model and the adapted model on HELD-OUT descriptions through the gRPC Generator API."})
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Base model (default: models/zhyper-tiny; "
            + "a random char-level model is made when it does not exist).")
    Path model;

    @Option(names = "--checkpoint", paramLabel = "CKPT", description = "Pretrained Zhyper-diag checkpoint the "
            + "streaming round continues from (default: models/zhyper-tiny-diag when present; 'none' = from scratch).")
    String checkpoint;

    @Option(names = "--home", paramLabel = "DIR", description = "Work directory, emptied first (default: <repository>/.zhyper/demo).")
    Path home;

    @Option(names = "--suite", paramLabel = "DIR", description = "Task suite (default: data/suite of the repository).")
    Path suite;

    @Option(names = "--examples", defaultValue = "304", description = "Training examples to stream (spread over the training tasks).")
    int examples;

    @Option(names = "--steps", defaultValue = "40", description = "Optimiser steps of the streaming round.")
    int steps;

    @Option(names = "--batch", defaultValue = "32",
            description = "Batch size of the streaming round (default ${DEFAULT-VALUE}, as the shipped checkpoint).")
    int batch;

    @Option(names = "--lr", description = "Peak learning rate (default: 1e-2 from scratch, 1e-3 continuing a checkpoint).")
    Double lr;

    @Option(names = "--eval", defaultValue = "40", description = "Evaluation items (half seen tasks, half held-out tasks).")
    int eval;

    @Option(names = "--tasks", defaultValue = "5", description = "Tasks per group (seen / held-out) in the evaluation.")
    int tasksPerGroup;

    @Option(names = "--max-tokens", defaultValue = "16") int maxTokens;

    @Option(names = "--seed", defaultValue = "7") long seed;

    @Option(names = "--timeout", defaultValue = "480", description = "Seconds to wait for the checkpoint.")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path root = LocalStack.repoRoot();
        Path h = (home != null ? home : root.resolve(".zhyper/demo")).toAbsolutePath().normalize();
        Path suiteDir = suite != null ? suite : root.resolve("data/suite");

        out.println("== Zhyper demo: descriptions -> z -> adapted generation, over Kafka + gRPC ==");
        LocalStack.ensureBuilt(root, err);
        if (Files.exists(h.resolve(LocalStack.STATE_FILE))) {
            LocalStack.down(h, Duration.ofSeconds(15), err); // a demo left running (e.g. killed hard)
        }
        deleteRecursively(h);
        Files.createDirectories(h);

        Path modelDir = resolveModel(root, h, out);
        LocalStack.Config cfg = new LocalStack.Config();
        cfg.home = h;
        cfg.modelDir = modelDir;
        Map<String, String> trainer = new LinkedHashMap<>();
        Path ckpt = resolveCheckpoint(root);
        boolean continuing = ckpt != null;
        if (continuing) {
            seedCheckpoint(ckpt, trainer, out);
            cfg.checkpointDir = ckpt; // served from the start; the trainer continues it and gates against it
        }
        if (!LocalStack.suiteGate(cfg, suiteDir)) {
            throw new CliException(suiteDir + " has no validation.jsonl / descriptions.heldout.json for the gate");
        }
        double peak = lr != null ? lr : continuing ? 1e-3 : 1e-2;
        trainer.put("zhyper.trainer.stream.min-examples", Integer.toString(examples));
        trainer.put("zhyper.trainer.stream.steps-per-round", Integer.toString(steps));
        trainer.put("zhyper.trainer.stream.max-wait-ms", "600000");
        trainer.put("zhyper.trainer.batch", Integer.toString(batch));
        trainer.put("zhyper.trainer.lr", Double.toString(peak));
        trainer.put("zhyper.trainer.max-length", "64");
        trainer.put("zhyper.trainer.progress-every", "2");
        trainer.put("zhyper.trainer.seed", Long.toString(seed));
        trainer.put("ai.djl.pytorch.num_threads", "2");
        cfg.extra.put("trainer", trainer);

        // load the suite before starting anything
        SuiteData suiteData;
        try {
            suiteData = SuiteData.load(suiteDir);
        } catch (RuntimeException e) {
            throw new CliException("cannot read the task suite " + suiteDir + ": " + e.getMessage(), e);
        }
        Map<String, List<TrainingExample>> train = byTask(suiteData.train());
        Map<String, List<TrainingExample>> test = byTask(suiteData.test());
        Map<String, List<String>> trainDesc = suiteData.trainDescriptions();
        Map<String, List<String>> heldDesc = suiteData.heldOutDescriptions();
        List<String> seenTasks = suiteData.seenTasks();
        List<String> heldTasks = suiteData.heldOutTasks();

        out.printf("starting the embedded stack (home %s) ...%n", h);
        out.flush();
        LocalStack stack = LocalStack.start(root, cfg, out);
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) stack.stop(Duration.ofSeconds(15));
        };
        Thread hook = new Thread(stop, "zhyper-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        ManagedChannel genCh = null;
        ManagedChannel hypCh = null;
        try {
            out.printf("stack up after %.0f s: kafka %s, embedder :%d, hypernet :%d, generator :%d, trainer :%d%n",
                    secs(t0), stack.bootstrapServers(), stack.port("embedder"), stack.port("hypernet"),
                    stack.port("generator"), stack.port("trainer"));
            out.printf("playground: %s (while the demo runs)%n", stack.playground());
            out.flush();

            // watch progress and checkpoints
            CompletableFuture<CheckpointEvent> announced = new CompletableFuture<>();
            Thread watcher = new Thread(() -> watch(stack.bootstrapServers(), announced, out), "zhyper-demo-watch");
            watcher.setDaemon(true);
            watcher.start();

            // stream the training examples
            List<String[]> sent = stream(stack.bootstrapServers(), train, seenTasks, trainDesc);
            out.printf("streamed %d training examples of %d tasks (with their %d training descriptions each) to %s%n",
                    sent.size(), seenTasks.size(), trainDesc.get(seenTasks.get(0)).size(), Topics.TRAINING_EXAMPLES);
            out.printf("trainer: one streaming round of %d steps (batch %d, lr %.0e)%s ...%n", steps, batch, peak,
                    continuing ? ", continuing the pretrained checkpoint" : ", from scratch");
            out.flush();
            CheckpointEvent ck;
            try {
                ck = announced.get(timeoutSeconds, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new CliException("no checkpoint announced within " + timeoutSeconds + " s; trainer log: "
                        + stack.logFile("trainer"));
            }
            out.printf("%ncheckpoint announced on %s: %s (step %d, loss %.3f) after %.0f s%n", Topics.CHECKPOINTS,
                    ck.getCheckpointId(), ck.getStep(), ck.getMetricsOrDefault("loss", Double.NaN), secs(t0));
            out.println(gateLine(ck));
            out.flush();
            boolean promote = ck.getStatus() == CheckpointStatus.CANDIDATE;
            if (promote) {
                ManagedChannel trCh = ManagedChannelBuilder.forAddress("127.0.0.1", stack.port("trainer")).usePlaintext()
                        .build();
                try {
                    TrainerGrpc.newBlockingStub(trCh).withDeadlineAfter(60, TimeUnit.SECONDS).promoteCheckpoint(
                            PromoteRequest.newBuilder().setCheckpointId(ck.getCheckpointId()).build());
                } finally {
                    trCh.shutdownNow();
                }
                out.printf("promoted: %s is now the served checkpoint (PromoteCheckpoint)%n", ck.getCheckpointId());
            } else {
                out.printf("NOT promoted: hypernet and generator keep serving %s%n",
                        ck.hasGate() && !ck.getGate().getServedCheckpointId().isEmpty()
                                ? ck.getGate().getServedCheckpointId() : "what they served");
            }
            out.flush();

            genCh = ManagedChannelBuilder.forAddress("127.0.0.1", stack.port("generator")).usePlaintext().build();
            hypCh = ManagedChannelBuilder.forAddress("127.0.0.1", stack.port("hypernet")).usePlaintext().build();
            GeneratorGrpc.GeneratorBlockingStub gen = GeneratorGrpc.newBlockingStub(genCh);
            HypernetGrpc.HypernetBlockingStub hyp = HypernetGrpc.newBlockingStub(hypCh);
            long tl = System.nanoTime();
            String probe = heldDesc.get(seenTasks.get(0)).get(0);
            String servedId = promote ? ck.getCheckpointId() : ck.getGate().getServedCheckpointId();
            if (promote) {
                awaitHotLoad(gen, hyp, probe, servedId);
            } else {
                sleep(2000); // time for a (wrong) hot swap to show
                String g = gen.withDeadlineAfter(60, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
                        .setDescription(probe).setPrompt("abc").setMaxTokens(1).build()).getCheckpointId();
                String hz = hyp.withDeadlineAfter(30, TimeUnit.SECONDS)
                        .modulate(ModulateRequest.newBuilder().setDescription(probe).build()).getCheckpointId();
                for (String[] sv : new String[][] {{"generator", g}, {"hypernet", hz}}) {
                    if (!sv[1].equals(servedId)) {
                        out.printf("WARNING: the %s serves %s, not %s: it does not honour the gate's REJECTED%n",
                                sv[0], sv[1], servedId);
                    }
                }
            }
            ModulateResponse z = hyp.withDeadlineAfter(30, TimeUnit.SECONDS)
                    .modulate(ModulateRequest.newBuilder().setDescription(probe).build());
            out.printf("%s %s (z: %s, rank %d, %d sites, %d bytes per description)%n", promote
                            ? String.format(Locale.ROOT, "hot-loaded by hypernet and generator within %.1f s:", secs(tl))
                            : "served:", z.getCheckpointId(), z.getMethod(), z.getRank(), z.getSitesCount(), z.getBytes());
            out.flush();

            evaluate(gen, test, heldDesc, seenTasks, heldTasks, out);
            out.printf("%nwall time: %.0f s%n", secs(t0));
            out.flush();
        } catch (RuntimeException e) {
            err.println(stack.logTails(15));
            throw e;
        } finally {
            if (genCh != null) genCh.shutdownNow();
            if (hypCh != null) hypCh.shutdownNow();
            out.println("stopping the stack ...");
            out.flush();
            stop.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
        out.printf("done in %.0f s%n", secs(t0));
        out.flush();
        return 0;
    }

    // ------------------------------------------------------------------------------------------- model, ckpt

    private Path resolveModel(Path root, Path h, PrintWriter out) {
        if (model != null) return UpCommand.resolveModel(root, model);
        Path def = root.resolve("models/zhyper-tiny");
        if (Files.isRegularFile(def.resolve("config.json"))) {
            out.println("base model: " + root.relativize(def));
            return def;
        }
        Path m = RandomModels.writeLlama(h.resolve("model"), new RandomModels.LlamaShape(0, 64, 176, 4, 4, 2, 512),
                TaskSuite.ALPHABET + "\n", seed);
        out.println("base model: models/zhyper-tiny is not there: using a RANDOM char-level model (" + m
                + "); expect poor answers from both base and adapted model");
        return m;
    }

    private Path resolveCheckpoint(Path root) {
        if (checkpoint != null && checkpoint.equalsIgnoreCase("none")) return null;
        Path c = checkpoint != null ? Path.of(checkpoint) : root.resolve("models/zhyper-tiny-diag");
        if (Files.isRegularFile(c.resolve("manifest.json"))) return c.toAbsolutePath().normalize();
        if (checkpoint != null) throw new CliException("not a checkpoint directory (no manifest.json): " + c);
        return null;
    }

    /**
     * Configures the trainer with the pretrained checkpoint's adapter spec, so the round continues it (the stack
     * serves it and passes it as {@code zhyper.trainer.initial-checkpoint}).
     */
    private static void seedCheckpoint(Path ckpt, Map<String, String> trainer, PrintWriter out) {
        AdapterCheckpoint.Summary c;
        try {
            c = AdapterCheckpoint.summary(ckpt);
        } catch (RuntimeException e) {
            throw new CliException("cannot use the checkpoint " + ckpt + ": " + e.getMessage(), e);
        }
        String method = c.spec().method().id();
        trainer.put("zhyper.trainer.method", method.startsWith("zhyper-") ? method.substring(7) : method);
        trainer.put("zhyper.trainer.rank", Integer.toString(c.spec().rank()));
        trainer.put("zhyper.trainer.layers", c.spec().layers().toString());
        trainer.put("zhyper.trainer.targets", String.join(",", c.spec().targets().stream().map(TargetModule::hfName)
                .toList()));
        if (c.embedder() != null && "one-hot".equals(c.embedder().id())) {
            trainer.put("zhyper.trainer.conditioning", "one-hot");
        }
        out.printf("pretrained checkpoint: %s (%s, rank %d, step %d), served from the start: the streaming round"
                + " CONTINUES from it and is gated against it%n", ckpt.getFileName(), method, c.spec().rank(), c.step());
    }

    // ----------------------------------------------------------------------------------------------- kafka

    private List<String[]> stream(String bootstrap, Map<String, List<TrainingExample>> train, List<String> seenTasks,
                                  Map<String, List<String>> trainDesc) {
        int per = Math.max(1, (int) Math.ceil(examples / (double) seenTasks.size()));
        Random rnd = new Random(seed);
        List<ProducerRecord<String, byte[]>> recs = new ArrayList<>();
        List<String[]> sent = new ArrayList<>();
        for (String task : seenTasks) {
            List<TrainingExample> ex = new ArrayList<>(train.getOrDefault(task, List.of()));
            Collections.shuffle(ex, rnd);
            List<String> desc = trainDesc.getOrDefault(task, List.of());
            for (TrainingExample e : ex.subList(0, Math.min(per, ex.size()))) {
                TrainingExampleEvent ev = TrainingExampleEvent.newBuilder().setSchemaVersion(Topics.SCHEMA_VERSION)
                        .setTask(task).setPrompt(e.prompt()).setResponse(e.response())
                        .addAllDescriptions(desc).build();
                recs.add(new ProducerRecord<>(Topics.TRAINING_EXAMPLES, task, ProtoJson.encode(ev)));
                sent.add(new String[] {task, e.prompt()});
            }
        }
        Collections.shuffle(recs, rnd);
        if (recs.size() > examples) recs = recs.subList(0, examples);
        Map<String, Object> pc = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(pc, new StringSerializer(), new ByteArraySerializer())) {
            List<Future<?>> fs = new ArrayList<>();
            for (var r : recs) fs.add(p.send(r));
            p.flush();
            for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new CliException("producing training examples failed: " + e.getMessage(), e);
        }
        return sent.subList(0, recs.size());
    }

    /** Renders zhyper.training.progress as a progress line; completes {@code announced} with the first checkpoint. */
    private void watch(String bootstrap, CompletableFuture<CheckpointEvent> announced, PrintWriter out) {
        Map<String, Object> cc = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        boolean tty = System.console() != null;
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(cc, new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition prog = new TopicPartition(Topics.TRAINING_PROGRESS, 0);
            TopicPartition cks = new TopicPartition(Topics.CHECKPOINTS, 0);
            c.assign(List.of(prog, cks));
            c.seekToBeginning(List.of(prog, cks));
            while (!announced.isDone()) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (r.topic().equals(Topics.TRAINING_PROGRESS)) {
                        TrainingProgressEvent p = ProtoJson.decode(r.value(), TrainingProgressEvent::newBuilder);
                        out.print((tty ? "\r" : "") + progressLine(p) + (tty ? "" : "\n"));
                        out.flush();
                    } else {
                        CheckpointEvent ev = ProtoJson.decode(r.value(), CheckpointEvent::newBuilder);
                        if (ev.getStatus() == CheckpointStatus.CANDIDATE || ev.getStatus() == CheckpointStatus.REJECTED
                                || ev.getStatus() == CheckpointStatus.UNGATED) {
                            announced.complete(ev);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            announced.completeExceptionally(e);
        }
    }

    /** The gate's verdict on a round, one line: accuracy vs served, margin, status. */
    static String gateLine(CheckpointEvent ck) {
        if (!ck.hasGate()) return "gate: none configured -> " + ck.getStatus() + " (never served automatically)";
        var g = ck.getGate();
        String vs = g.getServedCheckpointId().isEmpty() ? "nothing served to compare with"
                : String.format(Locale.ROOT, "served %s %.1f%%", g.getServedCheckpointId(), 100 * g.getServedAccuracy());
        return String.format(Locale.ROOT, "gate (%d held-out items of %s): accuracy %.1f%% vs %s, margin %.1f pts -> %s%s",
                g.getItems(), g.getEvalSet(), 100 * g.getAccuracy(), vs, 100 * g.getMargin(), ck.getStatus(),
                ck.getStatus() == CheckpointStatus.CANDIDATE
                        ? String.format(Locale.ROOT, " (traffic share %.0f%%)", 100 * ck.getTrafficShare())
                        : " (" + g.getReason() + ")");
    }

    static String progressLine(TrainingProgressEvent p) {
        int width = 30;
        double f = p.getTotalSteps() > 0 ? Math.min(1.0, p.getStep() / (double) p.getTotalSteps()) : 0;
        int fill = (int) Math.round(f * width);
        return String.format(Locale.ROOT, "training [%s%s] step %d/%d  loss %.3f  lr %.1e  %.0f tok/s  eta %.0f s   ",
                "#".repeat(fill), ".".repeat(width - fill), p.getStep(), p.getTotalSteps(), p.getLoss(), p.getLr(),
                p.getTokensPerSecond(), p.getEtaSeconds());
    }

    // ----------------------------------------------------------------------------------------------- grpc

    private static void awaitHotLoad(GeneratorGrpc.GeneratorBlockingStub gen, HypernetGrpc.HypernetBlockingStub hyp,
                                     String description, String id) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        String last = "";
        boolean hOk = false;
        boolean gOk = false;
        while (System.nanoTime() < deadline) {
            try {
                if (!hOk) {
                    hOk = id.equals(hyp.withDeadlineAfter(30, TimeUnit.SECONDS)
                            .modulate(ModulateRequest.newBuilder().setDescription(description).build()).getCheckpointId());
                }
                if (!gOk) {
                    gOk = id.equals(gen.withDeadlineAfter(60, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
                            .setDescription(description).setPrompt("abc").setMaxTokens(1).build()).getCheckpointId());
                }
                if (hOk && gOk) return;
            } catch (StatusRuntimeException e) {
                last = e.getStatus().toString();
            }
            sleep(500);
        }
        throw new CliException("the checkpoint " + id + " was not hot-loaded within 180 s (hypernet " + hOk
                + ", generator " + gOk + "; last error " + last + ")");
    }

    private record Item(boolean seen, String task, String description, String prompt, String expected) {}

    private void evaluate(GeneratorGrpc.GeneratorBlockingStub gen, Map<String, List<TrainingExample>> test,
                          Map<String, List<String>> heldDesc,
                          List<String> seenTasks, List<String> heldTasks, PrintWriter out) throws Exception {
        Random rnd = new Random(seed + 1);
        List<String> seen = new ArrayList<>(seenTasks);
        List<String> held = new ArrayList<>(heldTasks);
        Collections.shuffle(seen, rnd);
        Collections.shuffle(held, rnd);
        seen = seen.subList(0, Math.min(tasksPerGroup, seen.size()));
        held = held.subList(0, Math.min(tasksPerGroup, held.size()));
        int perTask = Math.max(1, eval / Math.max(1, seen.size() + held.size()));
        List<Item> items = new ArrayList<>();
        for (boolean isSeen : new boolean[] {true, false}) {
            for (String task : isSeen ? seen : held) {
                List<TrainingExample> t = new ArrayList<>(test.getOrDefault(task, List.of()));
                Collections.shuffle(t, rnd);
                List<String> ds = heldDesc.getOrDefault(task, List.of());
                for (int i = 0; i < Math.min(perTask, t.size()); i++) {
                    items.add(new Item(isSeen, task, ds.get(i % ds.size()), t.get(i).prompt(), t.get(i).response()));
                }
            }
        }
        out.printf("%nasking the Generator API (gRPC, greedy, max %d tokens): %d test inputs of %d seen and %d held-out "
                + "tasks, each with a HELD-OUT description (never seen in training)%n", maxTokens, items.size(),
                seen.size(), held.size());
        out.flush();
        long te = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<GenerateResponse>> base = new ArrayList<>();
        List<Future<GenerateResponse>> adapted = new ArrayList<>();
        try {
            for (Item it : items) {
                base.add(pool.submit(() -> gen.withDeadlineAfter(300, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
                        .setPrompt(it.prompt()).setMaxTokens(maxTokens).build())));
                adapted.add(pool.submit(() -> gen.withDeadlineAfter(300, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
                        .setDescription(it.description()).setPrompt(it.prompt()).setMaxTokens(maxTokens).build())));
            }
            int[][] correct = new int[2][2]; // [seen?0:1][base 0, adapted 1]
            int[] n = new int[2];
            String lastTask = null;
            for (int i = 0; i < items.size(); i++) {
                Item it = items.get(i);
                String b = ExactMatch.answerIn(base.get(i).get().getText());
                String a = ExactMatch.answerIn(adapted.get(i).get().getText());
                int g = it.seen() ? 0 : 1;
                n[g]++;
                if (b.equals(it.expected())) correct[g][0]++;
                if (a.equals(it.expected())) correct[g][1]++;
                if (!it.task().equals(lastTask)) {
                    out.printf("%n[%s task %s]%n", it.seen() ? "seen" : "held-out", it.task());
                    lastTask = it.task();
                }
                out.printf("  description: \"%s\"%n", abbreviate(it.description(), 110));
                out.printf("    input %-8s base %-14s adapted %-14s %s expected %s%n", quote(it.prompt()), quote(b),
                        quote(a), a.equals(it.expected()) ? "OK" : "--", quote(it.expected()));
            }
            out.printf("%n(%d generations in %.1f s)%n%n", 2 * items.size(), secs(te));
            out.println("accuracy (exact match)    items    base model    adapted (Zhyper-diag, held-out descriptions)");
            String[] names = {"seen tasks", "held-out tasks"};
            for (int g = 0; g < 2; g++) {
                out.printf("  %-22s %7d    %9.1f%%    %9.1f%%%n", names[g], n[g], pct(correct[g][0], n[g]),
                        pct(correct[g][1], n[g]));
            }
            out.flush();
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static String quote(String s) {
        return "'" + s.replace("\n", "\\n") + "'";
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    private static double pct(int k, int n) {
        return n == 0 ? 0 : 100.0 * k / n;
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static Map<String, List<TrainingExample>> byTask(List<TrainingExample> rows) {
        Map<String, List<TrainingExample>> m = new TreeMap<>();
        for (TrainingExample r : rows) m.computeIfAbsent(r.task(), k -> new ArrayList<>()).add(r);
        return m;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    static void deleteRecursively(Path dir) {
        try {
            DurableFiles.deleteRecursively(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
