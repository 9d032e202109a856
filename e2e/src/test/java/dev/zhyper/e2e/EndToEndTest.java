package dev.zhyper.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.lab.suite.TaskSuite;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointInfo;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.proto.v1.PromoteRequest;
import dev.zhyper.proto.v1.TrainerGrpc;
import dev.zhyper.proto.v1.GenerateRequest;
import dev.zhyper.proto.v1.GenerateResponse;
import dev.zhyper.proto.v1.GenerationEvent;
import dev.zhyper.proto.v1.GeneratorGrpc;
import dev.zhyper.proto.v1.HypernetGrpc;
import dev.zhyper.proto.v1.ModulateRequest;
import dev.zhyper.proto.v1.ModulateResponse;
import dev.zhyper.proto.v1.SiteModulation;
import dev.zhyper.proto.v1.TrainingExampleEvent;
import dev.zhyper.service.common.KafkaTestClient;
import dev.zhyper.service.common.ProtoJson;
import dev.zhyper.stack.EmbeddedKafka;
import dev.zhyper.stack.StackLauncher;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.zhyper.e2e.E2e.await;
import static dev.zhyper.e2e.E2e.freePort;
import static dev.zhyper.e2e.E2e.jar;
import static dev.zhyper.e2e.E2e.key;
import static dev.zhyper.e2e.E2e.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole system end to end: a real Kafka broker and the four services as separate processes (their packaged
 * {@code quarkus-run.jar}), on a tiny random char-level model. Training examples with descriptions (and one poison
 * record) go to {@code zhyper.training.examples}; the trainer trains a round and announces a checkpoint; hypernet and
 * generator hot-load it; a gRPC Generate with a description is served with it and differs from the base model; the
 * generation is published on {@code zhyper.generations}; the poison record is on the DLQ with its reason.
 */
class EndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TASKS = List.of("reverse", "upper");
    private static final int PER_TASK = 8;
    private static final List<String> PROMPTS = List.of("kitten", "market", "soup", "zebra");
    private static final int MAX_TOKENS = 12;

    @Test
    void examplesOverKafkaTrainAndHotSwapAndAdaptGeneration() throws Exception {
        Path root = E2e.root();
        Path tmp = Files.createTempDirectory("zhyper-e2e");
        EmbeddedKafka kafka = null;
        StackLauncher stack = new StackLauncher(tmp.resolve("run")).readyTimeout(Duration.ofMinutes(5));
        ManagedChannel genCh = null;
        ManagedChannel hypCh = null;
        ManagedChannel trainCh = null;
        long t0 = System.nanoTime();
        try {
            Path model = RandomModels.writeLlama(tmp.resolve("model"), RandomModels.LlamaShape.tiny(0),
                    TaskSuite.ALPHABET + "\n", 1);
            kafka = EmbeddedKafka.start(tmp.resolve("kafka")).deleteLogDirOnClose(true);
            kafka.createTopics(Topics.allWithDlq().toArray(String[]::new));
            String bootstrap = kafka.bootstrapServers();
            stack.useKafka(bootstrap);

            int pe = freePort();
            int ph = freePort();
            int pg = freePort();
            int pt = freePort();
            Map<String, String> common = Map.of("ai.djl.pytorch.num_threads", "1",
                    "ai.djl.pytorch.num_interop_threads", "1");
            stack.startService("embedder", jar(root, "embedder"), pe, common);
            stack.startService("hypernet", jar(root, "hypernet"), ph, with(common, Map.of(
                    "zhyper.model.dir", model.toString(),
                    "zhyper.embedder.target", "127.0.0.1:" + pe,
                    "zhyper.checkpoints.roots", tmp.resolve("checkpoints").toString())));
            stack.startService("generator", jar(root, "generator"), pg, with(common, Map.of(
                    "zhyper.model.dir", model.toString(),
                    "zhyper.hypernet.target", "127.0.0.1:" + ph,
                    "zhyper.batch.max-wait-ms", "20",
                    "zhyper.checkpoints.roots", tmp.resolve("checkpoints").toString())));
            Map<String, String> trainer = new HashMap<>(common);
            trainer.put("zhyper.model.dir", model.toString());
            trainer.put("zhyper.checkpoints.root", tmp.resolve("checkpoints").toString());
            trainer.put("zhyper.trainer.rank", "4");
            trainer.put("zhyper.trainer.lr", "1e-2");
            trainer.put("zhyper.trainer.batch", "4");
            trainer.put("zhyper.trainer.max-length", "64");
            trainer.put("zhyper.trainer.progress-every", "5");
            trainer.put("zhyper.trainer.stream.min-examples", Integer.toString(TASKS.size() * PER_TASK));
            trainer.put("zhyper.trainer.stream.steps-per-round", "20");
            trainer.put("zhyper.trainer.stream.max-wait-ms", "600000");
            stack.startService("trainer", jar(root, "trainer"), pt, trainer);
            log(t0, "stack up");

            genCh = ManagedChannelBuilder.forAddress("127.0.0.1", pg).usePlaintext().build();
            hypCh = ManagedChannelBuilder.forAddress("127.0.0.1", ph).usePlaintext().build();
            GeneratorGrpc.GeneratorBlockingStub gen = GeneratorGrpc.newBlockingStub(genCh);
            HypernetGrpc.HypernetBlockingStub hyp = HypernetGrpc.newBlockingStub(hypCh);

            // the base model's answers (no context) before any checkpoint exists
            List<String> base = new ArrayList<>();
            for (String p : PROMPTS) {
                GenerateResponse r = gen.withDeadlineAfter(120, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
                        .setPrompt(p).setMaxTokens(MAX_TOKENS).build());
                assertEquals("", r.getCheckpointId(), "a request without context is served by the base model");
                base.add(r.getText());
            }

            // (a) training examples of two tasks with descriptions, and one poison record in between
            JsonNode descs = JSON.readTree(root.resolve("data/suite/descriptions.train.json").toFile());
            List<JsonNode> train = new ArrayList<>();
            for (String line : Files.readAllLines(root.resolve("data/suite/train.jsonl"))) {
                if (!line.isBlank()) train.add(JSON.readTree(line));
            }
            int sent = 0;
            for (String task : TASKS) {
                List<String> d = new ArrayList<>();
                descs.path(task).forEach(x -> d.add(x.asText()));
                List<JsonNode> ex = train.stream().filter(n -> n.path("task").asText().equals(task)).limit(PER_TASK).toList();
                assertEquals(PER_TASK, ex.size());
                for (JsonNode e : ex) {
                    TrainingExampleEvent ev = TrainingExampleEvent.newBuilder().setSchemaVersion(Topics.SCHEMA_VERSION)
                            .setTask(task).setPrompt(e.path("prompt").asText()).setResponse(e.path("response").asText())
                            .addAllDescriptions(d.subList(0, 8)).build();
                    KafkaTestClient.send(bootstrap, Topics.TRAINING_EXAMPLES, task, ProtoJson.encode(ev));
                    if (++sent == 3) {
                        KafkaTestClient.send(bootstrap, Topics.TRAINING_EXAMPLES, "poison",
                                "{this is not a TrainingExampleEvent".getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            log(t0, "sent %d examples + 1 poison record", sent);

            // (b) the trainer announces a checkpoint
            List<ConsumerRecord<byte[], byte[]>> cks = KafkaTestClient.readUntil(bootstrap, Topics.CHECKPOINTS,
                    Duration.ofMinutes(6), l -> !l.isEmpty());
            assertFalse(cks.isEmpty(), "no CheckpointEvent on " + Topics.CHECKPOINTS);
            CheckpointEvent ck = ProtoJson.decode(cks.get(0).value(), CheckpointEvent::newBuilder);
            String id = ck.getCheckpointId();
            assertEquals(id, new String(cks.get(0).key(), StandardCharsets.UTF_8));
            assertTrue(Files.isDirectory(Path.of(ck.getUri())), "checkpoint directory " + ck.getUri());
            assertEquals(20, ck.getStep());
            log(t0, "checkpoint %s announced", id);
            // no gate is configured: the checkpoint is UNGATED and nothing serves it until an operator promotes it
            assertEquals(CheckpointStatus.UNGATED, ck.getStatus(), "a checkpoint without a gate is UNGATED");
            trainCh = ManagedChannelBuilder.forAddress("127.0.0.1", pt).usePlaintext().build();
            CheckpointInfo promoted = TrainerGrpc.newBlockingStub(trainCh).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .promoteCheckpoint(PromoteRequest.newBuilder().setCheckpointId(id).build());
            assertTrue(promoted.getPromoted(), "PromoteCheckpoint answers the promoted checkpoint");
            log(t0, "checkpoint %s promoted through Trainer.PromoteCheckpoint", id);

            // (c) hypernet and generator switch to it
            String description = descs.path("reverse").get(0).asText();
            ModulateResponse z = await("hypernet serves " + id, Duration.ofMinutes(3), () -> {
                ModulateResponse m = hyp.withDeadlineAfter(30, TimeUnit.SECONDS)
                        .modulate(ModulateRequest.newBuilder().setDescription(description).build());
                return id.equals(m.getCheckpointId()) ? m : null;
            });
            await("generator serves " + id, Duration.ofMinutes(3), () -> {
                GenerateResponse r = gen.withDeadlineAfter(60, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
                        .setDescription(description).setPrompt("abc").setMaxTokens(1).build());
                return id.equals(r.getCheckpointId()) ? r : null;
            });
            log(t0, "hot-loaded by hypernet and generator");

            // (d) Modulate's z is non-zero; Generate with the description is served by the new checkpoint and
            // differs from the base model
            assertTrue(z.getSitesCount() > 0);
            assertEquals(4, z.getRank());
            double norm = 0;
            for (SiteModulation s : z.getSitesList()) {
                for (float v : s.getValuesList()) norm += (double) v * v;
            }
            assertTrue(norm > 0, "z is zero");
            List<GenerateResponse> adapted = new ArrayList<>();
            for (int i = 0; i < PROMPTS.size(); i++) {
                GenerateResponse r = gen.withDeadlineAfter(120, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
                        .setDescription(description).setPrompt(PROMPTS.get(i)).setMaxTokens(MAX_TOKENS)
                        .setRequestId("e2e-adapted-" + i).build());
                assertEquals(id, r.getCheckpointId());
                assertEquals("e2e-adapted-" + i, r.getRequestId());
                adapted.add(r);
            }
            List<String> adaptedText = adapted.stream().map(GenerateResponse::getText).toList();
            log(t0, "base %s / adapted %s", base, adaptedText);
            assertNotEquals(base, adaptedText, "the adapted model answers exactly like the base model");

            // (e) the generation is on zhyper.generations with its arm and checkpoint
            GenerateResponse first = adapted.get(0);
            List<ConsumerRecord<byte[], byte[]>> gens = KafkaTestClient.readUntil(bootstrap, Topics.GENERATIONS,
                    Duration.ofSeconds(60), l -> l.stream().anyMatch(r -> "e2e-adapted-0".equals(key(r))));
            ConsumerRecord<byte[], byte[]> rec = gens.stream().filter(r -> "e2e-adapted-0".equals(key(r))).findFirst()
                    .orElseThrow(() -> new AssertionError("no GenerationEvent for e2e-adapted-0 on " + Topics.GENERATIONS));
            GenerationEvent ge = ProtoJson.decode(rec.value(), GenerationEvent::newBuilder);
            assertEquals("e2e-adapted-0", ge.getRequestId());
            assertEquals(id, ge.getCheckpointId());
            assertEquals(first.getArm(), ge.getArm());
            assertEquals(first.getText(), ge.getOutput());
            assertEquals(description, ge.getContext());

            // (f) the poison record is on the DLQ with its reason, and the flow kept working
            List<ConsumerRecord<byte[], byte[]>> dlq = KafkaTestClient.readUntil(bootstrap,
                    Topics.dlq(Topics.TRAINING_EXAMPLES), Duration.ofSeconds(60), l -> !l.isEmpty());
            assertEquals(1, dlq.size(), "exactly the poison record is dead-lettered");
            assertEquals("poison", key(dlq.get(0)));
            String reason = KafkaTestClient.header(dlq.get(0), Topics.DLQ_REASON_HEADER);
            assertNotNull(reason, "no " + Topics.DLQ_REASON_HEADER + " header");
            assertFalse(reason.isBlank());
            assertEquals(Topics.TRAINING_EXAMPLES, KafkaTestClient.header(dlq.get(0), Topics.DLQ_TOPIC_HEADER));
            for (var e : stack.endpoints().entrySet()) {
                assertEquals(200, E2e.httpGet(e.getValue().resolve("/q/health/ready")).statusCode(), e.getKey() + " not ready");
            }
            log(t0, "passed (DLQ reason: %s)", reason);
        } catch (Throwable t) {
            E2e.dumpLogs("end-to-end test", stack);
            throw t;
        } finally {
            if (genCh != null) genCh.shutdownNow();
            if (hypCh != null) hypCh.shutdownNow();
            if (trainCh != null) trainCh.shutdownNow();
            stack.close();
            if (kafka != null) kafka.close();
            E2e.deleteQuietly(tmp);
        }
    }

    private static void log(long t0, String fmt, Object... args) {
        E2e.log("e2e", t0, fmt, args);
    }
}
