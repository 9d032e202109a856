package dev.zhyper.trainer;

import dev.zhyper.core.checkpoint.Checkpoint;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointInfo;
import dev.zhyper.proto.v1.Job;
import dev.zhyper.proto.v1.JobRef;
import dev.zhyper.proto.v1.ListCheckpointsRequest;
import dev.zhyper.proto.v1.PromoteRequest;
import dev.zhyper.proto.v1.StartJobRequest;
import dev.zhyper.proto.v1.TrainerGrpc;
import dev.zhyper.proto.v1.TrainingControlEvent;
import dev.zhyper.proto.v1.TrainingExampleEvent;
import dev.zhyper.proto.v1.TrainingProgressEvent;
import dev.zhyper.service.common.KafkaBrokerResource;
import dev.zhyper.service.common.KafkaTestClient;
import dev.zhyper.service.common.ProtoJson;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer against a real in-process broker and a tiny char-level model: streaming rounds (offsets committed only
 * after the checkpoint is announced), dead letters, jobs over files, the checkpoint registry, validation, cancel and
 * the control topic. The tests build on each other (ordered): streaming first, then jobs.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = TinyModelResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainerServiceTest {

    static final int STEPS_PER_ROUND = 3;

    @GrpcClient("trainer")
    TrainerGrpc.TrainerBlockingStub trainer;

    @Inject
    StreamingTrainer streaming;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "zhyper.checkpoints.root")
    String root;

    // ------------------------------------------------------------------------------------------- streaming

    @Test
    @Order(1)
    void streamingRoundCommitsOffsetsOnlyAfterItsCheckpointIsAnnounced() throws Exception {
        sendAll(Topics.TRAINING_EXAMPLES, examples(0, 4));
        await("4 examples buffered", () -> streaming.pendingCount() == 4, 60);
        // consumed but not checkpointed: nothing committed, no checkpoint
        assertEquals(0, committed(), "no offset may be committed before a checkpoint covers the examples");
        assertTrue(new CheckpointStore(Path.of(root)).list().isEmpty());

        sendAll(Topics.TRAINING_EXAMPLES, examples(4, 16)); // 20 >= min-examples 10: a round is due
        CheckpointEvent ev = awaitCheckpoint(e -> !e.getPromoted() && e.getStep() == STEPS_PER_ROUND, 240);
        assertEquals(TrainingService.STREAM_JOB_ID, ev.getJobId());
        assertEquals(1, ev.getSchemaVersion());
        assertTrue(ev.getMetricsMap().containsKey("loss"), ev.toString());
        assertTrue(Path.of(ev.getUri()).isAbsolute());
        try (Checkpoint c = Checkpoint.open(Path.of(ev.getUri()))) {
            assertEquals(c.fingerprint(), ev.getSha256());
            assertEquals(c.id(), ev.getCheckpointId());
        }
        await("offsets of all 20 examples committed", () -> committed() == 20, 30);
        assertEquals(0, streaming.pendingCount());
    }

    @Test
    @Order(2)
    void poisonRecordsGoToTheDlqAndTrainingContinues() throws Exception {
        List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
        batch.add(record(Topics.TRAINING_EXAMPLES, "upper", "{not json".getBytes(StandardCharsets.UTF_8)));
        batch.add(record(Topics.TRAINING_EXAMPLES, "mystery", ProtoJson.encode(TrainingExampleEvent.newBuilder()
                .setSchemaVersion(1).setTask("mystery").setPrompt("abc").setResponse("cba").build())));
        // never trainable: longer than max-length 64 tokens, and characters outside the tiny model's alphabet
        batch.add(record(Topics.TRAINING_EXAMPLES, "reverse", ProtoJson.encode(TrainingExampleEvent.newBuilder()
                .setSchemaVersion(1).setTask("reverse").setPrompt("ab".repeat(40)).setResponse("ba").build())));
        batch.add(record(Topics.TRAINING_EXAMPLES, "reverse", ProtoJson.encode(TrainingExampleEvent.newBuilder()
                .setSchemaVersion(1).setTask("reverse").setPrompt("ABC").setResponse("CBA").build())));
        batch.addAll(examples(20, 10));
        sendAll(Topics.TRAINING_EXAMPLES, batch);

        List<ConsumerRecord<byte[], byte[]>> dlq = KafkaTestClient.readUntil(bootstrap,
                Topics.dlq(Topics.TRAINING_EXAMPLES), Duration.ofSeconds(60), l -> l.size() >= 4);
        assertEquals(4, dlq.size());
        String r0 = KafkaTestClient.header(dlq.get(0), Topics.DLQ_REASON_HEADER);
        String r1 = KafkaTestClient.header(dlq.get(1), Topics.DLQ_REASON_HEADER);
        String r2 = KafkaTestClient.header(dlq.get(2), Topics.DLQ_REASON_HEADER);
        String r3 = KafkaTestClient.header(dlq.get(3), Topics.DLQ_REASON_HEADER);
        assertTrue(r0.contains("TrainingExampleEvent"), r0);
        assertTrue(r1.contains("no descriptions"), r1);
        assertTrue(r2.contains("zhyper.trainer.max-length 64"), r2);
        assertTrue(r3.contains("cannot represent"), r3);
        assertEquals("20", KafkaTestClient.header(dlq.get(0), Topics.DLQ_OFFSET_HEADER));
        assertEquals("{not json", new String(dlq.get(0).value(), StandardCharsets.UTF_8));

        // the 10 good ones: a second round, continued from the first checkpoint
        CheckpointEvent ev = awaitCheckpoint(e -> !e.getPromoted() && e.getStep() == 2 * STEPS_PER_ROUND, 240);
        try (Checkpoint c = Checkpoint.open(Path.of(ev.getUri()))) {
            assertEquals(c.fingerprint(), ev.getSha256());
        }
        await("all 34 records committed", () -> committed() == 34, 30);
        List<CheckpointInfo> listed = trainer.listCheckpoints(ListCheckpointsRequest.getDefaultInstance())
                .getCheckpointsList();
        assertEquals(ev.getCheckpointId(), listed.get(0).getCheckpointId(), "newest first");
        assertEquals(2, listed.size());
    }

    // ------------------------------------------------------------------------------------------------ jobs

    @Test
    @Order(3)
    void jobOverFilesSucceedsAndItsCheckpointCanBePromoted() throws Exception {
        Path[] files = datasetFiles();
        Job started = trainer.startJob(StartJobRequest.newBuilder().setJobId("job-a")
                .setDatasetPath(files[0].toString()).setDescriptionsPath(files[1].toString())
                .setSteps(4).setBatch(2).setLr(1e-2).setSeed(7).build());
        assertEquals("job-a", started.getJobId());
        assertEquals(4, started.getTotalSteps());
        Job done = awaitJob("job-a", Job.State.SUCCEEDED, 240);
        assertEquals(4, done.getStep());
        assertFalse(done.getCheckpointId().isEmpty());

        List<CheckpointInfo> listed = trainer.listCheckpoints(ListCheckpointsRequest.getDefaultInstance())
                .getCheckpointsList();
        CheckpointInfo info = listed.stream().filter(i -> i.getCheckpointId().equals(done.getCheckpointId()))
                .findFirst().orElseThrow(() -> new AssertionError(done.getCheckpointId() + " not in " + listed));
        assertEquals(4, info.getStep());
        assertFalse(info.getPromoted());
        assertTrue(info.getMetricsMap().containsKey("loss"));
        try (Checkpoint c = Checkpoint.open(Path.of(info.getUri()))) {
            assertEquals(c.fingerprint(), info.getSha256());
        }
        CheckpointEvent written = awaitCheckpoint(e -> e.getCheckpointId().equals(done.getCheckpointId()), 30);
        assertEquals("job-a", written.getJobId());

        CheckpointInfo promoted = trainer.promoteCheckpoint(PromoteRequest.newBuilder()
                .setCheckpointId(done.getCheckpointId()).build());
        assertTrue(promoted.getPromoted());
        CheckpointEvent ev = awaitCheckpoint(e -> e.getPromoted() && e.getCheckpointId().equals(done.getCheckpointId()),
                30);
        assertEquals(info.getSha256(), ev.getSha256());
        assertEquals(info.getUri(), ev.getUri());
        assertEquals("job-a", ev.getJobId());
        List<CheckpointInfo> onlyPromoted = trainer.listCheckpoints(ListCheckpointsRequest.newBuilder()
                .setPromotedOnly(true).build()).getCheckpointsList();
        assertEquals(1, onlyPromoted.size());
        assertEquals(done.getCheckpointId(), onlyPromoted.get(0).getCheckpointId());

        List<ConsumerRecord<byte[], byte[]>> progress = KafkaTestClient.readUntil(bootstrap, Topics.TRAINING_PROGRESS,
                Duration.ofSeconds(30), l -> l.stream().anyMatch(r -> progress(r).getJobId().equals("job-a")
                        && progress(r).getStep() == 4));
        TrainingProgressEvent last = progress.stream().map(TrainerServiceTest::progress)
                .filter(p -> p.getJobId().equals("job-a") && p.getStep() == 4).findFirst().orElseThrow();
        assertEquals(4, last.getTotalSteps());
        assertTrue(last.getTokensPerSecond() > 0);
        assertEquals(0.0, last.getEtaSeconds(), 1e-9);
    }

    @Test
    @Order(4)
    void invalidRequestsAreRejectedWithTheirStatusCodes() throws Exception {
        Path[] files = datasetFiles();
        StartJobRequest ok = StartJobRequest.newBuilder().setDatasetPath(files[0].toString())
                .setDescriptionsPath(files[1].toString()).setSteps(2).build();
        // outside zhyper.trainer.data-roots (the temp dir in tests): one answer whether the file exists or not, and
        // neither its path nor its content is echoed
        String outside = null;
        for (String p : new String[] {"/no/such.jsonl", "/etc/passwd", "/etc", files[0].getParent() + "/../../etc/passwd"}) {
            StatusRuntimeException e = assertCode(Status.Code.INVALID_ARGUMENT,
                    () -> trainer.startJob(ok.toBuilder().setDatasetPath(p).build()));
            String d = e.getStatus().getDescription();
            assertFalse(d.contains("/") || d.contains("root:"), d);
            if (outside == null) outside = d;
            assertEquals(outside, d, "no existence oracle");
        }
        Path link = files[0].resolveSibling("link-to-passwd-" + System.nanoTime());
        Files.createSymbolicLink(link, Path.of("/etc/passwd"));
        StatusRuntimeException viaLink = assertCode(Status.Code.INVALID_ARGUMENT,
                () -> trainer.startJob(ok.toBuilder().setDatasetPath(link.toString()).build()));
        assertEquals(outside, viaLink.getStatus().getDescription(), "a link leading out is outside");
        Files.delete(link);
        assertCode(Status.Code.NOT_FOUND, () -> trainer.startJob(ok.toBuilder()
                .setDatasetPath(files[0].resolveSibling("no-such.jsonl").toString()).build()));
        assertCode(Status.Code.NOT_FOUND, () -> trainer.startJob(ok.toBuilder()
                .setDescriptionsPath(files[1].resolveSibling("no-such.json").toString()).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(ok.toBuilder().setMethod("bogus").build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(ok.toBuilder().setRank(-1).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(ok.toBuilder().setSteps(-5).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(ok.toBuilder().setBatch(-1).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(ok.toBuilder().setLr(-1e-3).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(ok.toBuilder().setTargets("x_proj").build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> trainer.startJob(ok.toBuilder().setJobId("../evil").build()));
        Path bad = Files.writeString(Files.createTempDirectory("zt").resolve("bad.jsonl"), "{\"task\": 3}\n");
        StatusRuntimeException e = assertCode(Status.Code.INVALID_ARGUMENT,
                () -> trainer.startJob(ok.toBuilder().setDatasetPath(bad.toString()).build()));
        assertTrue(e.getStatus().getDescription().contains("task"), e.getStatus().getDescription());
        assertCode(Status.Code.ALREADY_EXISTS, () -> trainer.startJob(ok.toBuilder().setJobId("job-a").build()));
        assertCode(Status.Code.NOT_FOUND, () -> trainer.getJob(JobRef.newBuilder().setJobId("nope").build()));
        assertCode(Status.Code.NOT_FOUND, () -> trainer.cancelJob(JobRef.newBuilder().setJobId("nope").build()));
        assertCode(Status.Code.NOT_FOUND, () -> trainer.promoteCheckpoint(PromoteRequest.newBuilder()
                .setCheckpointId("nope").build()));
    }

    @Test
    @Order(5)
    void cancellingALongJobStopsIt() throws Exception {
        Path[] files = datasetFiles();
        trainer.startJob(StartJobRequest.newBuilder().setJobId("job-long").setDatasetPath(files[0].toString())
                .setDescriptionsPath(files[1].toString()).setSteps(1_000_000).build());
        // queued behind nothing: a second long job waits, and is cancelled while QUEUED
        Job queued = trainer.startJob(StartJobRequest.newBuilder().setJobId("job-queued")
                .setDatasetPath(files[0].toString()).setDescriptionsPath(files[1].toString()).setSteps(1_000_000).build());
        assertEquals(Job.State.QUEUED, queued.getState());
        await("job-long runs", () -> {
            Job j = trainer.getJob(JobRef.newBuilder().setJobId("job-long").build());
            return j.getState() == Job.State.RUNNING && j.getStep() >= 1;
        }, 120);
        assertEquals(Job.State.CANCELLED, trainer.cancelJob(JobRef.newBuilder().setJobId("job-queued").build()).getState());
        trainer.cancelJob(JobRef.newBuilder().setJobId("job-long").build());
        Job j = awaitJob("job-long", Job.State.CANCELLED, 60);
        assertTrue(j.getStep() < 1_000_000);
        assertTrue(j.getCheckpointId().isEmpty());
        assertEquals(Job.State.CANCELLED, trainer.getJob(JobRef.newBuilder().setJobId("job-queued").build()).getState());
        try (var s = Files.list(Path.of(root))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("job-long")));
        }
    }

    @Test
    @Order(6)
    void controlTopicStartsJobsAndDeadLettersBadCommands() throws Exception {
        Path[] files = datasetFiles();
        KafkaTestClient.send(bootstrap, Topics.TRAINING_CONTROL, "ctl-1", ProtoJson.encode(TrainingControlEvent
                .newBuilder().setSchemaVersion(1).setAction(TrainingControlEvent.Action.START).setJobId("ctl-1")
                .setStart(StartJobRequest.newBuilder().setDatasetPath(files[0].toString())
                        .setDescriptionsPath(files[1].toString()).setSteps(2)).build()));
        KafkaTestClient.send(bootstrap, Topics.TRAINING_CONTROL, "ctl-2", ProtoJson.encode(TrainingControlEvent
                .newBuilder().setSchemaVersion(1).setAction(TrainingControlEvent.Action.CANCEL).setJobId("unknown")
                .build()));
        Job j = awaitJob("ctl-1", Job.State.SUCCEEDED, 240);
        assertFalse(j.getCheckpointId().isEmpty());
        // RESUME: the cancelled job-long continues from its partial checkpoint; a succeeded job cannot be resumed
        long stoppedAt = trainer.getJob(JobRef.newBuilder().setJobId("job-long").build()).getStep();
        KafkaTestClient.send(bootstrap, Topics.TRAINING_CONTROL, "job-long", ProtoJson.encode(TrainingControlEvent
                .newBuilder().setSchemaVersion(1).setAction(TrainingControlEvent.Action.RESUME).setJobId("job-long")
                .build()));
        KafkaTestClient.send(bootstrap, Topics.TRAINING_CONTROL, "ctl-1", ProtoJson.encode(TrainingControlEvent
                .newBuilder().setSchemaVersion(1).setAction(TrainingControlEvent.Action.RESUME).setJobId("ctl-1")
                .build()));
        await("job-long runs again", () -> {
            Job r = trainer.getJob(JobRef.newBuilder().setJobId("job-long").build());
            return r.getState() == Job.State.RUNNING && r.getStep() >= 1;
        }, 120);
        Job resumed = trainer.getJob(JobRef.newBuilder().setJobId("job-long").build());
        assertTrue(resumed.getStep() >= stoppedAt - 2,
                "continued from its partial checkpoint (every 2 steps), not from 0: " + resumed + " vs " + stoppedAt);
        assertEquals(Job.State.CANCELLED, trainer.cancelJob(JobRef.newBuilder().setJobId("job-long").build()).getState());
        List<ConsumerRecord<byte[], byte[]>> dlq = KafkaTestClient.readUntil(bootstrap,
                Topics.dlq(Topics.TRAINING_CONTROL), Duration.ofSeconds(30), l -> l.size() >= 2);
        assertEquals(2, dlq.size());
        assertTrue(KafkaTestClient.header(dlq.get(0), Topics.DLQ_REASON_HEADER).contains("NOT_FOUND"));
        assertTrue(KafkaTestClient.header(dlq.get(1), Topics.DLQ_REASON_HEADER).contains("FAILED_PRECONDITION"));
        // jobs are on disk, so they survive restarts
        String stored = Files.readString(Path.of(root).resolve(".jobs/ctl-1.json"));
        assertTrue(stored.contains("SUCCEEDED"), stored);
    }

    @Test
    @Order(7)
    void healthAndMetrics() {
        given().get("/q/health/ready").then().statusCode(200).body(containsString("trainer"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("zhyper_trainer_steps_total"))
                .body(containsString("zhyper_trainer_examples_consumed_total 30.0"))
                .body(containsString("zhyper_trainer_examples_dead_lettered_total 4.0"))
                .body(containsString("zhyper_trainer_checkpoints_written_total"));
    }

    // --------------------------------------------------------------------------------------------- helpers

    /** Examples of two tasks (upper-casing is out of the alphabet, so: "double" and "reverse"). */
    static List<ProducerRecord<byte[], byte[]>> examples(int from, int n) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            String word = "w" + (char) ('a' + i % 26) + (char) ('a' + (i * 7) % 26) + "x";
            boolean rev = i % 2 == 0;
            String task = rev ? "reverse" : "double";
            TrainingExampleEvent e = TrainingExampleEvent.newBuilder().setSchemaVersion(1).setTask(task)
                    .setPrompt(word).setResponse(rev ? new StringBuilder(word).reverse().toString() : word + word)
                    .addDescriptions(rev ? "reverse the word" : "say the word twice").build();
            out.add(record(Topics.TRAINING_EXAMPLES, task, ProtoJson.encode(e)));
        }
        return out;
    }

    static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
    }

    /** Sends the records with one producer (one batch when possible) and waits for every acknowledgement. */
    void sendAll(String topic, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 200), new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<?>> fs = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : records) fs.add(p.send(r));
            p.flush();
            for (Future<?> f : fs) f.get(30, TimeUnit.SECONDS);
        }
    }

    /** Sum of the committed offsets of the trainer's group on zhyper.training.examples (0 when absent). */
    long committed() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets("zhyper-trainer")
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            return m.entrySet().stream().filter(e -> e.getKey().topic().equals(Topics.TRAINING_EXAMPLES)
                    && e.getValue() != null).mapToLong(e -> e.getValue().offset()).sum();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    CheckpointEvent awaitCheckpoint(java.util.function.Predicate<CheckpointEvent> p, int seconds) {
        List<ConsumerRecord<byte[], byte[]>> got = KafkaTestClient.readUntil(bootstrap, Topics.CHECKPOINTS,
                Duration.ofSeconds(seconds), l -> l.stream().map(TrainerServiceTest::checkpoint).anyMatch(p));
        CheckpointEvent ev = got.stream().map(TrainerServiceTest::checkpoint).filter(p).findFirst()
                .orElseThrow(() -> new AssertionError("no such CheckpointEvent in " + got.size() + " records"));
        ConsumerRecord<byte[], byte[]> rec = got.stream().filter(r -> p.test(checkpoint(r))).findFirst().orElseThrow();
        assertEquals(ev.getCheckpointId(), new String(rec.key(), StandardCharsets.UTF_8), "key = checkpoint id");
        return ev;
    }

    static CheckpointEvent checkpoint(ConsumerRecord<byte[], byte[]> r) {
        return ProtoJson.decode(r.value(), CheckpointEvent::newBuilder);
    }

    static TrainingProgressEvent progress(ConsumerRecord<byte[], byte[]> r) {
        return ProtoJson.decode(r.value(), TrainingProgressEvent::newBuilder);
    }

    Job awaitJob(String id, Job.State state, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Job j = null;
        while (System.nanoTime() < deadline) {
            try {
                j = trainer.getJob(JobRef.newBuilder().setJobId(id).build());
                if (j.getState() == state) return j;
                if (j.getState() == Job.State.FAILED || j.getState() == Job.State.CANCELLED) break;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND) throw e;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + id + " did not reach " + state + ": " + j);
    }

    static void await(String what, BooleanSupplier cond, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (cond.getAsBoolean()) return;
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for: " + what);
    }

    static StatusRuntimeException assertCode(Status.Code code, org.junit.jupiter.api.function.Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), String.valueOf(e.getStatus().getDescription()));
        assertNotNull(e.getStatus().getDescription());
        return e;
    }

    /** A JSONL dataset and its descriptions file in a temp dir. */
    static Path[] datasetFiles() throws Exception {
        Path dir = Files.createTempDirectory("zhyper-trainer-data");
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            String w = "w" + (char) ('a' + i) + "x";
            jsonl.append(i % 2 == 0
                    ? "{\"task\":\"reverse\",\"prompt\":\"" + w + "\",\"response\":\"" + new StringBuilder(w).reverse() + "\"}\n"
                    : "{\"task\":\"double\",\"prompt\":\"" + w + "\",\"response\":\"" + w + w + "\"}\n");
        }
        Path data = Files.writeString(dir.resolve("train.jsonl"), jsonl);
        Path desc = Files.writeString(dir.resolve("descriptions.json"),
                "{\"reverse\":[\"reverse the word\"],\"double\":[\"say the word twice\"]}");
        return new Path[]{data, desc};
    }
}
