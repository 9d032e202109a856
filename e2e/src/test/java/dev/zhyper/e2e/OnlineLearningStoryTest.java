package dev.zhyper.e2e;

import dev.zhyper.core.eval.ExactMatch;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.proto.v1.FeedbackEvent;
import dev.zhyper.proto.v1.GenerateRequest;
import dev.zhyper.proto.v1.GenerateResponse;
import dev.zhyper.proto.v1.GenerationEvent;
import dev.zhyper.proto.v1.GeneratorGrpc;
import dev.zhyper.proto.v1.HypernetGrpc;
import dev.zhyper.proto.v1.ModulateRequest;
import dev.zhyper.proto.v1.TrainingExampleEvent;
import dev.zhyper.service.common.KafkaTestClient;
import dev.zhyper.service.common.ProtoJson;
import dev.zhyper.stack.EmbeddedKafka;
import dev.zhyper.stack.StackLauncher;
import dev.zhyper.stack.StackLauncher.ServiceSpec;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.zhyper.e2e.E2e.await;
import static dev.zhyper.e2e.E2e.jar;
import static dev.zhyper.e2e.E2e.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9's user story with the real parts: a real broker, the four packaged services as processes, the shipped base
 * model {@code models/zhyper-tiny}, the shipped checkpoint {@code models/zhyper-tiny-diag} (served from the start and
 * the trainer's {@code initial-checkpoint}), real MiniLM. The served accuracy is measured the same way at every stage:
 * the gate's score of the served checkpoint, and the same held-out items (one per task of the suite's validation
 * split, with a held-out description) sent through the gRPC Generator.
 * <ol>
 *   <li>a GOOD round (38 training examples, a cautious learning rate) passes the gate and is announced CANDIDATE; the
 *       generator serves it on the candidate arm at the traffic share; users prefer it (the test sends feedback on
 *       {@code zhyper.feedback} joined by request id with {@code zhyper.generations}); the canary judge PROMOTES it and
 *       hypernet and generator serve it as control;</li>
 *   <li>the trainer is restarted with a high learning rate and gets a deliberately BAD round (responses shuffled
 *       across tasks): the gate REJECTS it, and it never answers a request (no response, no generation event, no arm
 *       of {@code /zhyper/v1/serving} names it; hypernet keeps the promoted one);</li>
 *   <li>the served accuracy never drops below the starting value.</li>
 * </ol>
 */
class OnlineLearningStoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TAG = "story";
    /** Checkpoint id of models/zhyper-tiny-diag (its manifest). */
    private static final String SHIPPED = "ckpt-c0a54aaa02fa";
    private static final double MARGIN = 0.02;
    private static final double SHARE = 0.5;
    private static final int MIN_SAMPLES = 10;
    private static final int CANARY_REQUESTS = 40;

    /** One held-out question: the same items score the gate and the gRPC measurement. */
    record Item(String task, String description, String prompt, String expected) {}

    @Test
    void aGoodRoundIsPromotedABadRoundIsRejectedAndNeverServed() throws Exception {
        Path root = E2e.root();
        Path model = root.resolve("models/zhyper-tiny");
        Path shipped = root.resolve("models/zhyper-tiny-diag");
        assertTrue(Files.isRegularFile(shipped.resolve("manifest.json")), "the shipped checkpoint " + shipped);
        assertEquals(SHIPPED, JSON.readTree(shipped.resolve("manifest.json").toFile()).path("checkpoint_id").asText());
        Path tmp = Files.createTempDirectory("zhyper-story");
        long t0 = System.nanoTime();
        EmbeddedKafka kafka = null;
        StackLauncher stack = new StackLauncher(tmp.resolve("run")).readyTimeout(Duration.ofMinutes(5));
        List<ManagedChannel> channels = new ArrayList<>();
        try {
            List<Item> items = heldOut(root);
            Path gate = tmp.resolve("gate.jsonl");
            StringBuilder g = new StringBuilder();
            for (Item it : items) {
                g.append(JSON.writeValueAsString(Map.of("task", it.task(), "prompt", it.prompt(),
                        "response", it.expected(), "description", it.description()))).append('\n');
            }
            Files.writeString(gate, g);

            kafka = EmbeddedKafka.start(tmp.resolve("kafka")).deleteLogDirOnClose(true);
            kafka.createTopics(Topics.allWithDlq().toArray(String[]::new));
            String bootstrap = kafka.bootstrapServers();
            stack.useKafka(bootstrap);
            int pe = E2e.freePort();
            int ph = E2e.freePort();
            int pg = E2e.freePort();
            Map<String, String> common = Map.of("ai.djl.pytorch.num_threads", "1",
                    "ai.djl.pytorch.num_interop_threads", "1", "zhyper.model.dir", model.toString());
            Map<String, String> trainer = new HashMap<>(common);
            trainer.put("zhyper.checkpoints.root", tmp.resolve("checkpoints").toString());
            trainer.put("zhyper.trainer.initial-checkpoint", shipped.toString()); // what `zhyper up --checkpoint` passes
            trainer.put("zhyper.trainer.batch", "8");
            trainer.put("zhyper.trainer.stream.min-examples", Integer.toString(items.size() - 8)); // 38 training tasks
            trainer.put("zhyper.trainer.stream.max-examples", Integer.toString(items.size() - 8)); // the newest batch
            trainer.put("zhyper.trainer.stream.max-wait-ms", "600000");
            trainer.put("zhyper.trainer.stream.warmup-steps", "0");
            trainer.put("zhyper.gate.file", gate.toString());
            trainer.put("zhyper.gate.margin", Double.toString(MARGIN));
            trainer.put("zhyper.gate.candidate-share", Double.toString(SHARE));
            trainer.put("zhyper.gate.max-items", "0");
            trainer.put("zhyper.canary.min-samples", Integer.toString(MIN_SAMPLES));
            // round A: a cautious learning rate (2 steps at 1e-7 barely move the shipped weights)
            Map<String, String> cautious = with(trainer, Map.of("zhyper.trainer.lr", "1e-7",
                    "zhyper.trainer.stream.steps-per-round", "2"));
            stack.startServices(List.of(
                    new ServiceSpec("embedder", jar(root, "embedder"), pe, common),
                    new ServiceSpec("hypernet", jar(root, "hypernet"), ph, with(common, Map.of(
                            "zhyper.embedder.target", "127.0.0.1:" + pe,
                            "zhyper.checkpoint.dir", shipped.toString(),
                            "zhyper.checkpoints.roots", tmp.resolve("checkpoints").toString()))),
                    new ServiceSpec("generator", jar(root, "generator"), pg, with(common, Map.of(
                            "zhyper.hypernet.target", "127.0.0.1:" + ph,
                            "zhyper.checkpoint.dir", shipped.toString(),
                            "zhyper.checkpoints.roots", tmp.resolve("checkpoints").toString(),
                            "zhyper.batch.max-wait-ms", "5"))),
                    new ServiceSpec("trainer", jar(root, "trainer"), E2e.freePort(), cautious)));
            E2e.log(TAG, t0, "stack up (4 services, %d gate items)", items.size());

            ManagedChannel genCh = ManagedChannelBuilder.forAddress("127.0.0.1", pg).usePlaintext().build();
            ManagedChannel hypCh = ManagedChannelBuilder.forAddress("127.0.0.1", ph).usePlaintext().build();
            channels.add(genCh);
            channels.add(hypCh);
            GeneratorGrpc.GeneratorBlockingStub gen = GeneratorGrpc.newBlockingStub(genCh);
            HypernetGrpc.HypernetBlockingStub hyp = HypernetGrpc.newBlockingStub(hypCh);
            URI generatorUri = stack.endpoints().get("generator");

            // ---- 0. the shipped checkpoint serves; its accuracy is the starting value
            Measured start = measure(gen, items, "m0-", SHIPPED);
            E2e.log(TAG, t0, "served %s: %d/%d = %.3f through gRPC", SHIPPED, start.correct, items.size(), start.accuracy());

            // ---- 1. a GOOD round: 38 training examples (one per training task), with their descriptions
            JsonNode descs = JSON.readTree(root.resolve("data/suite/descriptions.train.json").toFile());
            Map<String, List<JsonNode>> train = trainingExamples(root);
            List<String> tasks = new ArrayList<>(train.keySet());
            assertEquals(38, tasks.size());
            List<ProducerRecord<byte[], byte[]>> good = new ArrayList<>();
            for (String task : tasks) {
                JsonNode e = train.get(task).get(0);
                good.add(example(task, e.path("prompt").asText(), e.path("response").asText(), descs.path(task)));
            }
            E2e.send(bootstrap, good);
            CheckpointEvent a = awaitRound(bootstrap, Duration.ofMinutes(5), Set.of());
            String aId = a.getCheckpointId();
            E2e.log(TAG, t0, "round A %s: %s, %s", aId, a.getStatus(), a.getGate().getReason());
            assertEquals(CheckpointStatus.CANDIDATE, a.getStatus(), a.toString());
            assertEquals(SHIPPED, a.getParentCheckpointId(), "the round continues the served checkpoint");
            assertEquals(1202, a.getStep());
            assertEquals(SHIPPED, a.getGate().getServedCheckpointId());
            assertEquals(SHARE, a.getTrafficShare(), 1e-9);
            double gateStart = a.getGate().getServedAccuracy();
            assertTrue(a.getGate().getAccuracy() >= gateStart, "the good round is not worse: " + a.getGate());

            // the generator serves it on the candidate arm at the traffic share
            await("generator's candidate arm serves " + aId, Duration.ofMinutes(2), () -> {
                JsonNode sv = serving(generatorUri);
                JsonNode arm = arm(sv, "candidate");
                return arm != null && aId.equals(arm.path("checkpoint_id").asText()) ? sv : null;
            });
            JsonNode sv = serving(generatorUri);
            assertEquals(SHARE, arm(sv, "candidate").path("share").asDouble(), 1e-9, sv.toString());
            assertEquals("CANDIDATE", arm(sv, "candidate").path("status").asText(), sv.toString());
            assertEquals(SHIPPED, arm(sv, "control").path("checkpoint_id").asText(), sv.toString());

            // users ask; the candidate's answers get a thumbs up, the control's a thumbs down (joined by request id)
            Map<String, String> armOf = new LinkedHashMap<>();
            for (int i = 0; i < CANARY_REQUESTS; i++) {
                Item it = items.get(i % items.size());
                GenerateResponse r = gen.withDeadlineAfter(60, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
                        .setDescription(it.description()).setPrompt(it.prompt()).setMaxTokens(maxTokens(items))
                        .setAbKey("user-" + i).setRequestId("canary-" + i).build());
                assertEquals(r.getArm().equals("candidate") ? aId : SHIPPED, r.getCheckpointId(), r.toString());
                armOf.put(r.getRequestId(), r.getArm());
            }
            long onCandidate = armOf.values().stream().filter("candidate"::equals).count();
            E2e.log(TAG, t0, "%d of %d canary requests on the candidate arm", onCandidate, CANARY_REQUESTS);
            assertTrue(onCandidate >= MIN_SAMPLES && CANARY_REQUESTS - onCandidate >= MIN_SAMPLES, armOf.toString());
            Map<String, GenerationEvent> generations = generations(bootstrap, armOf.keySet());
            List<ProducerRecord<byte[], byte[]>> feedback = new ArrayList<>();
            for (String rid : armOf.keySet()) {
                GenerationEvent ge = generations.get(rid);
                assertEquals(armOf.get(rid), ge.getArm());
                boolean candidate = aId.equals(ge.getCheckpointId());
                feedback.add(E2e.record(Topics.FEEDBACK, rid, ProtoJson.encode(FeedbackEvent.newBuilder()
                        .setSchemaVersion(Topics.SCHEMA_VERSION).setRequestId(rid).setThumbsUp(candidate).build())));
            }
            E2e.send(bootstrap, feedback);

            // the canary judge promotes it; hypernet and generator serve it as control
            CheckpointEvent promoted = await("the canary judge promotes " + aId, Duration.ofMinutes(2), () ->
                    E2e.checkpointEvents(bootstrap, Duration.ofSeconds(2), l -> false).stream()
                            .filter(e -> e.getStatus() == CheckpointStatus.PROMOTED && aId.equals(e.getCheckpointId()))
                            .findFirst().orElse(null));
            E2e.log(TAG, t0, "PROMOTED %s: %s", aId, promoted.getReason());
            await("hypernet serves " + aId, Duration.ofMinutes(2), () -> aId.equals(hyp.withDeadlineAfter(30,
                    TimeUnit.SECONDS).modulate(ModulateRequest.newBuilder().setDescription(items.get(0).description())
                    .build()).getCheckpointId()) ? aId : null);
            await("generator's control arm serves " + aId + " and no candidate arm is left", Duration.ofMinutes(2),
                    () -> {
                        JsonNode s = serving(generatorUri);
                        return arm(s, "candidate") == null && aId.equals(arm(s, "control").path("checkpoint_id").asText())
                                ? s : null;
                    });
            Measured afterGood = measure(gen, items, "m1-", aId);
            E2e.log(TAG, t0, "served %s: %d/%d = %.3f through gRPC", aId, afterGood.correct, items.size(), afterGood.accuracy());

            // ---- 2. the trainer restarts with a high learning rate, and gets a BAD round: responses shuffled across tasks
            await("round A's examples committed", Duration.ofMinutes(1), () ->
                    E2e.committed(bootstrap, "zhyper-trainer", Topics.TRAINING_EXAMPLES) == good.size() ? true : null);
            stack.stopService("trainer", Duration.ofSeconds(20));
            stack.startServices(List.of(new ServiceSpec("trainer-2", jar(root, "trainer"), E2e.freePort(),
                    with(trainer, Map.of("zhyper.trainer.lr", "1e-2", "zhyper.trainer.stream.steps-per-round", "6")))));
            E2e.log(TAG, t0, "trainer restarted with lr 1e-2");
            List<ProducerRecord<byte[], byte[]>> bad = new ArrayList<>();
            for (int i = 0; i < tasks.size(); i++) {
                String task = tasks.get(i);
                JsonNode e = train.get(task).get(1);
                JsonNode other = train.get(tasks.get((i + 1) % tasks.size())).get(1); // another task's answer
                bad.add(example(task, e.path("prompt").asText(), other.path("response").asText(), descs.path(task)));
            }
            E2e.send(bootstrap, bad);
            CheckpointEvent b = awaitRound(bootstrap, Duration.ofMinutes(5), Set.of(aId));
            String bId = b.getCheckpointId();
            E2e.log(TAG, t0, "round B %s: %s, %s", bId, b.getStatus(), b.getGate().getReason());
            assertEquals(CheckpointStatus.REJECTED, b.getStatus(), b.toString());
            assertFalse(b.getGate().getPassed());
            assertEquals(aId, b.getParentCheckpointId(), "the round continued the promoted checkpoint");
            assertEquals(aId, b.getGate().getServedCheckpointId(), "gated against the promoted checkpoint");
            assertEquals(38, (int) b.getMetricsOrDefault("examples", -1), "trained on the newest 38 (the shuffled ones)");

            // it never answers a request: the generator has seen it (REJECTED, never served), no arm names it
            JsonNode svB = await("the generator lists " + bId + " as REJECTED", Duration.ofMinutes(1), () -> {
                JsonNode s = serving(generatorUri);
                for (JsonNode c : s.path("checkpoints")) {
                    if (bId.equals(c.path("checkpoint_id").asText()) && "REJECTED".equals(c.path("status").asText())) return s;
                }
                return null;
            });
            for (JsonNode c : svB.path("checkpoints")) {
                if (!bId.equals(c.path("checkpoint_id").asText())) continue;
                assertTrue(c.path("never_served").asBoolean(), svB.toString());
                assertEquals(0, c.path("arms").size(), svB.toString());
            }
            for (JsonNode arm : svB.path("arms")) assertNotEquals(bId, arm.path("checkpoint_id").asText(), svB.toString());
            assertEquals(aId, hyp.withDeadlineAfter(30, TimeUnit.SECONDS).modulate(ModulateRequest.newBuilder()
                    .setDescription(items.get(1).description()).build()).getCheckpointId());
            Measured afterBad = measure(gen, items, "m2-", aId);
            E2e.log(TAG, t0, "served %s: %d/%d = %.3f through gRPC", aId, afterBad.correct, items.size(), afterBad.accuracy());
            // no generation event of the whole story names it (read up to the last request sent)
            int requests = 3 * items.size() + CANARY_REQUESTS;
            List<ConsumerRecord<byte[], byte[]>> all = KafkaTestClient.readUntil(bootstrap, Topics.GENERATIONS,
                    Duration.ofSeconds(60), l -> l.size() >= requests);
            Set<String> servedBy = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : all) {
                GenerationEvent ge = ProtoJson.decode(r.value(), GenerationEvent::newBuilder);
                servedBy.add(ge.getCheckpointId());
            }
            assertEquals(Set.of(SHIPPED, aId), servedBy, "checkpoints named in " + Topics.GENERATIONS);
            assertEquals(requests, all.size(), "every request is on " + Topics.GENERATIONS);

            // ---- 3. the served accuracy never dropped below the starting value (gate and gRPC, the same items)
            assertTrue(a.getGate().getAccuracy() >= gateStart && b.getGate().getServedAccuracy() >= gateStart,
                    "gate: start " + gateStart + ", A " + a.getGate().getAccuracy() + ", served at B "
                            + b.getGate().getServedAccuracy());
            assertTrue(afterGood.correct >= start.correct && afterBad.correct >= start.correct,
                    "gRPC: start " + start.correct + ", after A " + afterGood.correct + ", after B " + afterBad.correct);
            System.out.printf("story: served accuracy (gate, %d items) shipped %.3f -> A %.3f (CANDIDATE, PROMOTED by the"
                            + " canary) ; B %.3f (REJECTED vs %.3f); through gRPC %d -> %d -> %d of %d; %d canary requests"
                            + " (%d candidate); %.1f s%n", items.size(), gateStart, a.getGate().getAccuracy(),
                    b.getGate().getAccuracy(), b.getGate().getServedAccuracy(), start.correct, afterGood.correct,
                    afterBad.correct, items.size(), CANARY_REQUESTS, onCandidate, (System.nanoTime() - t0) / 1e9);
        } catch (Throwable t) {
            E2e.dumpLogs("the online-learning story", stack);
            throw t;
        } finally {
            for (ManagedChannel c : channels) c.shutdownNow();
            stack.close();
            if (kafka != null) kafka.close();
            E2e.deleteQuietly(tmp);
        }
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** Correct answers of the served model on {@code items}, every answer from {@code expectedCheckpoint}. */
    record Measured(int correct, int items) {
        double accuracy() {
            return (double) correct / items;
        }
    }

    private static Measured measure(GeneratorGrpc.GeneratorBlockingStub gen, List<Item> items, String prefix,
                                    String expectedCheckpoint) {
        int correct = 0;
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            GenerateResponse r = gen.withDeadlineAfter(60, TimeUnit.SECONDS).generate(GenerateRequest.newBuilder()
                    .setDescription(it.description()).setPrompt(it.prompt()).setMaxTokens(maxTokens(items))
                    .setAbKey(prefix + i).setRequestId(prefix + i).build());
            assertEquals(expectedCheckpoint, r.getCheckpointId(), r.toString());
            if (ExactMatch.answerIn(r.getText()).equals(it.expected())) correct++;
        }
        return new Measured(correct, items.size());
    }

    /** As the gate decodes: the longest expected answer + 4 tokens (the tokenizer is char-level). */
    private static int maxTokens(List<Item> items) {
        return items.stream().mapToInt(i -> i.expected().length()).max().orElse(1) + 4;
    }

    /** The first validation item of each of the suite's 46 tasks, with its task's first held-out description. */
    private static List<Item> heldOut(Path root) throws Exception {
        JsonNode descs = JSON.readTree(root.resolve("data/suite/descriptions.heldout.json").toFile());
        Map<String, Item> first = new LinkedHashMap<>();
        for (String line : Files.readAllLines(root.resolve("data/suite/validation.jsonl"))) {
            if (line.isBlank()) continue;
            JsonNode n = JSON.readTree(line);
            String task = n.path("task").asText();
            first.putIfAbsent(task, new Item(task, descs.path(task).get(0).asText(), n.path("prompt").asText(),
                    n.path("response").asText()));
        }
        assertEquals(46, first.size());
        return List.copyOf(first.values());
    }

    /** The suite's training examples by task (the 38 training tasks, in file order). */
    private static Map<String, List<JsonNode>> trainingExamples(Path root) throws Exception {
        Map<String, List<JsonNode>> byTask = new LinkedHashMap<>();
        for (String line : Files.readAllLines(root.resolve("data/suite/train.jsonl"))) {
            if (line.isBlank()) continue;
            JsonNode n = JSON.readTree(line);
            byTask.computeIfAbsent(n.path("task").asText(), t -> new ArrayList<>()).add(n);
        }
        return byTask;
    }

    private static ProducerRecord<byte[], byte[]> example(String task, String prompt, String response, JsonNode descs) {
        TrainingExampleEvent.Builder e = TrainingExampleEvent.newBuilder().setSchemaVersion(Topics.SCHEMA_VERSION)
                .setTask(task).setPrompt(prompt).setResponse(response);
        for (int i = 0; i < Math.min(4, descs.size()); i++) e.addDescriptions(descs.get(i).asText());
        return E2e.record(Topics.TRAINING_EXAMPLES, task, ProtoJson.encode(e.build()));
    }

    /** Waits for the announcement of a streaming round's checkpoint not in {@code known}; returns it. */
    private static CheckpointEvent awaitRound(String bootstrap, Duration timeout, Set<String> known) {
        java.util.function.Function<List<CheckpointEvent>, CheckpointEvent> round = l -> l.stream()
                .filter(e -> "stream".equals(e.getJobId()) && !known.contains(e.getCheckpointId())).findFirst()
                .orElse(null);
        List<CheckpointEvent> evs = E2e.checkpointEvents(bootstrap, timeout, l -> round.apply(l) != null);
        CheckpointEvent e = round.apply(evs);
        assertTrue(e != null, "no new round announced on " + Topics.CHECKPOINTS + ": " + evs);
        return e;
    }

    /** The GenerationEvents of {@code requestIds}, by request id. */
    private static Map<String, GenerationEvent> generations(String bootstrap, Set<String> requestIds) {
        Map<String, GenerationEvent> out = new HashMap<>();
        KafkaTestClient.readUntil(bootstrap, Topics.GENERATIONS, Duration.ofSeconds(60), l -> {
            for (ConsumerRecord<byte[], byte[]> r : l) {
                String k = E2e.key(r);
                if (requestIds.contains(k)) out.putIfAbsent(k, ProtoJson.decode(r.value(), GenerationEvent::newBuilder));
            }
            return out.keySet().containsAll(requestIds);
        });
        assertEquals(requestIds, out.keySet(), "generation events on " + Topics.GENERATIONS);
        return out;
    }

    private static JsonNode serving(URI generator) {
        try {
            var r = E2e.httpGet(generator.resolve("/zhyper/v1/serving"));
            assertEquals(200, r.statusCode(), r.body());
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode arm(JsonNode serving, String name) {
        for (JsonNode a : serving.path("arms")) {
            if (name.equals(a.path("name").asText())) return a;
        }
        return null;
    }
}
