package dev.zhyper.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.proto.v1.Job;
import dev.zhyper.proto.v1.JobRef;
import dev.zhyper.proto.v1.PromoteRequest;
import dev.zhyper.proto.v1.StartJobRequest;
import dev.zhyper.proto.v1.TrainingControlEvent;
import dev.zhyper.proto.v1.TrainerGrpc;
import dev.zhyper.proto.v1.TrainingExampleEvent;
import dev.zhyper.service.common.KafkaTestClient;
import dev.zhyper.service.common.ProtoJson;
import dev.zhyper.stack.EmbeddedKafka;
import dev.zhyper.stack.ServiceProcess;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault injection with real parts: a real broker and the packaged trainer ({@code quarkus-run.jar}) as a process,
 * killed at every point of a streaming round — after the checkpoint rename, during training, after the event, before
 * the offset commit (the test-only {@code -Dzhyper.trainer.fault-point}, which halts the JVM like SIGKILL) — and once
 * with SIGKILL while a job trains, restarted each time. Afterwards, as the delivery contract (at-least-once, idempotent rounds)
 * says: every valid example produced is in the training set of the last checkpoint and every offset is committed;
 * examples of a task whose descriptions came in earlier, committed records still train after a restart; a job
 * running when the trainer was SIGKILLed is FAILED ("interrupted") after the restart and RESUME continues it; the too-long
 * example is on the DLQ; no {@code .work/} is left; every checkpoint announced as servable passed the gate and no
 * rejected one was ever announced servable; retention keeps the last N plus the promoted one.
 */
class TrainerFaultInjectionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz :";
    static final List<String> TASKS = List.of("yes", "no");
    static final String[] WORDS = {"cat", "dog", "sun", "map", "pen", "cup", "hat", "box", "jam", "fig", "owl", "kit"};
    static final int BATCH = 16;

    @Test
    void theTrainerSurvivesKillsAtEveryPointOfARound() throws Exception {
        Path root = E2e.root();
        Path jar = root.resolve("trainer-service/target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is missing: package the services first (mvn verify -pl e2e -am)");
        Path tmp = Files.createTempDirectory("zhyper-faults");
        long t0 = System.nanoTime();
        Path model = RandomModels.writeLlama(tmp.resolve("model"), RandomModels.LlamaShape.tiny(0), ALPHABET, 3);
        Path checkpoints = tmp.resolve("checkpoints");
        Path gate = Files.writeString(tmp.resolve("gate.jsonl"), gateSet());
        int kills = 0;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka")).deleteLogDirOnClose(true)) {
            kafka.createTopics(Topics.allWithDlq().toArray(String[]::new));
            String bootstrap = kafka.bootstrapServers();
            Map<String, String> props = new HashMap<>();
            props.put("kafka.bootstrap.servers", bootstrap);
            props.put("zhyper.model.dir", model.toString());
            props.put("zhyper.checkpoints.root", checkpoints.toString());
            props.put("zhyper.trainer.data-roots", tmp.toString());
            props.put("zhyper.auth.enabled", "false");
            props.put("zhyper.trainer.conditioning", "one-hot");
            props.put("zhyper.trainer.rank", "2");
            props.put("zhyper.trainer.batch", "4");
            props.put("zhyper.trainer.lr", "2e-2");
            props.put("zhyper.trainer.max-length", "32");
            props.put("zhyper.trainer.stream.min-examples", Integer.toString(BATCH));
            props.put("zhyper.trainer.stream.steps-per-round", "6");
            props.put("zhyper.trainer.stream.warmup-steps", "2");
            props.put("zhyper.trainer.stream.max-wait-ms", "600000");
            props.put("zhyper.trainer.stream.retry-backoff-ms", "1000");
            props.put("zhyper.trainer.retention.keep-last", "3");
            props.put("zhyper.trainer.job-checkpoint-every", "2");
            props.put("zhyper.gate.file", gate.toString());
            props.put("zhyper.gate.margin", "0.1");
            props.put("ai.djl.pytorch.num_threads", "1");
            props.put("ai.djl.pytorch.num_interop_threads", "1");

            // batch 1: 16 examples with descriptions; a round is due at once
            E2e.send(bootstrap, examples(0, BATCH, true, false));
            int produced = BATCH;
            int n = 0;
            // after-rename first: the next round then continues from a parent, so a kill while training leaves a
            // partly written .work/ directory behind (a round from scratch writes nothing before its end)
            for (String point : List.of("after-rename", "training", "after-event", "before-commit")) {
                ServiceProcess p = trainer(jar, tmp, ++n, props, point);
                int rc = awaitExit(p, Duration.ofMinutes(3));
                assertEquals(137, rc, "the trainer halts at fault point " + point + "\n" + p.logTail(30));
                assertTrue(p.logTail(400).contains("zhyper-fault-point-halt " + point), p.logTail(30));
                kills++;
                log(t0, "killed at %s (run %d)", point, n);
                if (point.equals("after-rename")) {
                    Set<String> onDisk = new HashSet<>();
                    for (Path d : streamDirs(checkpoints)) {
                        onDisk.add(JSON.readTree(d.resolve("manifest.json").toFile()).path("checkpoint_id").asText());
                    }
                    onDisk.removeAll(announcedIds(bootstrap));
                    assertEquals(1, onDisk.size(), "the renamed checkpoint is on disk and not announced yet");
                }
            }
            // after 'before-commit' nothing is committed yet: every round so far ended before the commit
            assertEquals(0, E2e.committed(bootstrap, "zhyper-trainer", Topics.TRAINING_EXAMPLES));

            // run 5 completes the round and commits
            int port = E2e.freePort();
            ServiceProcess p5 = trainer(jar, tmp, ++n, props, null).property("quarkus.http.port", Integer.toString(port));
            p5.start();
            p5.awaitHttpReady(URI.create("http://127.0.0.1:" + port + "/q/health/ready"), Duration.ofMinutes(2));
            await("batch 1 committed", () -> E2e.committed(bootstrap, "zhyper-trainer", Topics.TRAINING_EXAMPLES) == BATCH, 180);
            assertTrue(Files.readString(tmp.resolve("trainer-2.log")).contains("was written but not announced"),
                    "run 2 announced the checkpoint renamed (but not announced) by run 1");
            assertTrue(Files.readString(tmp.resolve("trainer-3.log")).contains("leftover"),
                    "run 3 removed what the round killed while training (run 2) left in .work/");
            CheckpointEvent servable = lastOf(events(bootstrap), CheckpointStatus.CANDIDATE);
            Path data = Files.writeString(tmp.resolve("job.jsonl"), "{\"task\":\"yes\",\"prompt\":\"cat\",\"response\":\"yes\"}\n"
                    + "{\"task\":\"no\",\"prompt\":\"dog\",\"response\":\"no\"}\n");
            Path descs = Files.writeString(tmp.resolve("job-descriptions.json"), "{\"yes\":[\"answer yes\"],\"no\":[\"answer no\"]}");
            ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            try {
                TrainerGrpc.TrainerBlockingStub stub = TrainerGrpc.newBlockingStub(ch);
                stub.promoteCheckpoint(PromoteRequest.newBuilder().setCheckpointId(servable.getCheckpointId()).build());
                // a long job, killed below while it runs (its partial checkpoint is written every 2 steps)
                stub.startJob(StartJobRequest.newBuilder().setJobId("job-k").setDatasetPath(data.toString())
                        .setDescriptionsPath(descs.toString()).setSteps(1_000_000).build());
                await("job-k past step 3", () -> stub.getJob(JobRef.newBuilder().setJobId("job-k").build()).getStep() >= 3, 120);
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            // SIGKILL while job-k trains (no streaming round in flight)
            ProcessHandle.of(p5.pid()).ifPresent(ProcessHandle::destroyForcibly);
            awaitExit(p5, Duration.ofSeconds(30));
            kills++;
            log(t0, "SIGKILL while job-k trains (run %d)", n);

            // run 6: batch 2 WITHOUT descriptions (known only from batch 1, committed in an earlier run) + a too-long one
            ServiceProcess p6 = trainer(jar, tmp, ++n, props, null).property("quarkus.http.port", Integer.toString(port));
            p6.start();
            p6.awaitHttpReady(URI.create("http://127.0.0.1:" + port + "/q/health/ready"), Duration.ofMinutes(2));
            // the job survived the SIGKILL: FAILED ("interrupted"); RESUME continues it from its partial checkpoint
            ch = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            long jobResumedAt;
            try {
                TrainerGrpc.TrainerBlockingStub stub = TrainerGrpc.newBlockingStub(ch);
                Job interrupted = stub.getJob(JobRef.newBuilder().setJobId("job-k").build());
                assertEquals(Job.State.FAILED, interrupted.getState(), interrupted.toString());
                assertTrue(interrupted.getError().contains("interrupted"), interrupted.getError());
                byte[] resume = ProtoJson.encode(TrainingControlEvent.newBuilder().setSchemaVersion(1)
                        .setAction(TrainingControlEvent.Action.RESUME).setJobId("job-k").build());
                Job running = null;
                for (int attempt = 0; attempt < 6 && running == null; attempt++) { // until the control consumer is assigned
                    KafkaTestClient.send(bootstrap, Topics.TRAINING_CONTROL, "job-k", resume);
                    long deadline = System.nanoTime() + 20_000_000_000L;
                    while (System.nanoTime() < deadline) {
                        Job j = stub.getJob(JobRef.newBuilder().setJobId("job-k").build());
                        if (j.getState() == Job.State.RUNNING && j.getStep() >= 3) {
                            running = j;
                            break;
                        }
                        Thread.sleep(300);
                    }
                }
                assertTrue(running != null, "RESUME runs job-k again");
                jobResumedAt = running.getStep();
                assertTrue(running.getStep() >= 2, "continued from its partial checkpoint: " + running);
                assertEquals(Job.State.CANCELLED, stub.cancelJob(JobRef.newBuilder().setJobId("job-k").build()).getState());
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            log(t0, "job-k: FAILED (interrupted) after the SIGKILL, RESUMEd, running at step %d", jobResumedAt);
            List<ProducerRecord<byte[], byte[]>> batch2 = examples(BATCH, BATCH, false, false);
            batch2.add(record("yes", TrainingExampleEvent.newBuilder().setSchemaVersion(1).setTask("yes")
                    .setPrompt("a very long prompt that cannot fit").setResponse("yes").build()));
            E2e.send(bootstrap, batch2);
            produced += batch2.size();
            int valid = 2 * BATCH;
            int total = produced;
            await("batch 2 committed", () -> E2e.committed(bootstrap, "zhyper-trainer", Topics.TRAINING_EXAMPLES) == total, 180);
            p6.stop(Duration.ofSeconds(20));

            // ---- the figures
            List<CheckpointEvent> evs = events(bootstrap);
            CheckpointEvent last = evs.get(evs.size() - 1);
            assertEquals(valid, (int) Math.round(last.getMetricsOrDefault("examples", -1)),
                    "the last round trained on every valid example produced: " + last);
            List<ConsumerRecord<byte[], byte[]>> dlq = KafkaTestClient.readUntil(bootstrap,
                    Topics.dlq(Topics.TRAINING_EXAMPLES), Duration.ofSeconds(10), l -> l.size() >= 1);
            assertEquals(1, dlq.size(), "only the too-long example is dead-lettered (no 'no descriptions yet')");
            assertTrue(KafkaTestClient.header(dlq.get(0), Topics.DLQ_REASON_HEADER).contains("max-length"));
            try (Stream<Path> s = Files.list(checkpoints.resolve(".work"))) {
                assertEquals(0, s.count(), ".work/ is empty");
            }
            Set<String> rejected = new HashSet<>();
            Set<String> servableIds = new HashSet<>();
            long seq = 0;
            for (CheckpointEvent e : evs) {
                assertTrue(e.getSequence() > seq, "sequence grows across restarts");
                seq = e.getSequence();
                switch (e.getStatus()) {
                    case REJECTED -> {
                        assertFalse(e.getGate().getPassed());
                        rejected.add(e.getCheckpointId());
                    }
                    case CANDIDATE, PROMOTED -> servableIds.add(e.getCheckpointId());
                    default -> throw new AssertionError("with a gate every event is CANDIDATE/REJECTED/PROMOTED: " + e);
                }
                if (e.getStatus() == CheckpointStatus.CANDIDATE) assertTrue(e.getGate().getPassed(), e.toString());
            }
            servableIds.retainAll(rejected);
            assertTrue(servableIds.isEmpty(), "a rejected checkpoint was announced servable: " + servableIds);
            JsonNode promoted = JSON.readTree(checkpoints.resolve("promoted.json").toFile());
            assertFalse(rejected.contains(promoted.path("checkpoint_id").asText()));
            List<Path> dirs = streamDirs(checkpoints);
            assertTrue(dirs.size() <= 3 + 1, "retention: the last 3 plus the promoted one, got " + dirs);
            long candidates = evs.stream().filter(e -> e.getStatus() == CheckpointStatus.CANDIDATE).count();
            System.out.printf("fault injection: %d kills survived; %d records produced (%d valid examples, 1 too long);"
                            + " last checkpoint trained on %d examples; %d checkpoints announced (%d candidate, %d"
                            + " rejected); %d checkpoint dirs kept; %.1f s%n", kills, produced, valid,
                    (int) last.getMetricsOrDefault("examples", -1), evs.size(), candidates, rejected.size(),
                    dirs.size(), (System.nanoTime() - t0) / 1e9);
        } finally {
            E2e.deleteQuietly(tmp);
        }
    }

    static ServiceProcess trainer(Path jar, Path tmp, int run, Map<String, String> props, String faultPoint)
            throws IOException {
        ServiceProcess p = ServiceProcess.jar("trainer-" + run, jar).jvmArg("-Xmx768m")
                .property("quarkus.http.host", "127.0.0.1").properties(props)
                .logFile(tmp.resolve("trainer-" + run + ".log"));
        if (faultPoint != null) {
            p.property("zhyper.trainer.fault-point", faultPoint).property("quarkus.http.port", Integer.toString(E2e.freePort()));
            p.start();
        }
        return p;
    }

    static int awaitExit(ServiceProcess p, Duration timeout) throws Exception {
        ProcessHandle h = ProcessHandle.of(p.pid()).orElse(null);
        if (h != null) {
            try {
                h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError(p.name() + " did not exit within " + timeout + "\n" + p.logTail(40));
            }
        }
        return p.stop(Duration.ofSeconds(5));
    }

    static String gateSet() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            String t = TASKS.get(i % 2);
            sb.append("{\"task\":\"").append(t).append("\",\"prompt\":\"").append(WORDS[11 - i])
                    .append("\",\"response\":\"").append(t).append("\",\"description\":\"answer ").append(t).append("\"}\n");
        }
        return sb.toString();
    }

    static List<ProducerRecord<byte[], byte[]>> examples(int from, int n, boolean withDescriptions, boolean shuffled) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            String task = TASKS.get(i % 2);
            TrainingExampleEvent.Builder e = TrainingExampleEvent.newBuilder().setSchemaVersion(1).setTask(task)
                    .setPrompt(WORDS[i % WORDS.length]).setResponse(shuffled ? TASKS.get((i + 1) % 2) : task);
            if (withDescriptions) e.addDescriptions("answer " + task);
            out.add(record(task, e.build()));
        }
        return out;
    }

    static ProducerRecord<byte[], byte[]> record(String key, TrainingExampleEvent e) {
        return new ProducerRecord<>(Topics.TRAINING_EXAMPLES, key.getBytes(StandardCharsets.UTF_8), ProtoJson.encode(e));
    }

    static List<CheckpointEvent> events(String bootstrap) {
        List<ConsumerRecord<byte[], byte[]>> rs = KafkaTestClient.readUntil(bootstrap, Topics.CHECKPOINTS,
                Duration.ofSeconds(5), l -> false);
        List<CheckpointEvent> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : rs) out.add(ProtoJson.decode(r.value(), CheckpointEvent::newBuilder));
        return out;
    }

    static Set<String> announcedIds(String bootstrap) {
        Set<String> s = new HashSet<>();
        events(bootstrap).forEach(e -> s.add(e.getCheckpointId()));
        return s;
    }

    static CheckpointEvent lastOf(List<CheckpointEvent> evs, CheckpointStatus status) {
        return evs.stream().filter(e -> e.getStatus() == status).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + status + " event in " + evs));
    }

    static List<Path> streamDirs(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith("stream-")).sorted().toList();
        }
    }

    static void await(String what, BooleanSupplier cond, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (cond.getAsBoolean()) return;
            Thread.sleep(300);
        }
        throw new AssertionError("timed out waiting for: " + what);
    }

    static void log(long t0, String fmt, Object... args) {
        System.err.printf("[faults %5.1f s] %s%n", (System.nanoTime() - t0) / 1e9, String.format(fmt, args));
    }
}
