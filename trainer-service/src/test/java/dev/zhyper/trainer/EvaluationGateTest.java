package dev.zhyper.trainer;

import dev.zhyper.core.data.Datasets;
import dev.zhyper.core.data.TrainingExample;
import dev.zhyper.training.TrainingRun;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.proto.v1.PromoteRequest;
import dev.zhyper.proto.v1.TrainerGrpc;
import dev.zhyper.proto.v1.TrainingExampleEvent;
import dev.zhyper.service.common.KafkaBrokerResource;
import dev.zhyper.service.common.KafkaTestClient;
import dev.zhyper.service.common.ProtoJson;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evaluation gate with real parts: a real broker, the shipped base and Zhyper-diag checkpoint (served, as
 * {@code zhyper.trainer.initial-checkpoint}), the real MiniLM encoder, real training and greedy decoding, and the
 * suite's validation split with held-out descriptions as the gate set (SuiteGateResource). A good round (suite
 * examples) refines the served checkpoint and is announced CANDIDATE at the configured traffic share; once it is
 * promoted, a deliberately bad round (responses shuffled across tasks) scores below it by more than the margin and
 * is announced REJECTED — and no later round continues from it.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = SuiteGateResource.class, restrictToAnnotatedClass = true)
class EvaluationGateTest {

    static final String SHIPPED = "ckpt-c0a54aaa02fa";

    @GrpcClient("trainer")
    TrainerGrpc.TrainerBlockingStub trainer;

    @Inject
    TrainingService training;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "zhyper.gate.margin")
    double margin;

    @Test
    void aGoodRoundIsACandidateAndAShuffledRoundIsRejected() throws Exception {
        Path suite = SuiteGateResource.REPO.resolve("data/suite");
        Map<String, List<String>> desc = Datasets.readDescriptions(suite.resolve("descriptions.train.json"));
        List<TrainingExample> train = new ArrayList<>(Datasets.readExamples(suite.resolve("train.jsonl")));
        Collections.shuffle(train, new Random(1));

        // a good round: the gate items' inputs with their right answers (so the round is known to help on the gate
        // set) and suite training examples, 300 in all, with the tasks' TRAINING descriptions (the gate conditions on
        // held-out ones)
        List<TrainingExample> good = new ArrayList<>(SuiteGateResource.gateExamples());
        good.addAll(train.subList(0, 300 - good.size()));
        Collections.shuffle(good, new Random(3));
        send(good, desc);
        CheckpointEvent first = await(e -> e.getStatus() == CheckpointStatus.CANDIDATE
                || e.getStatus() == CheckpointStatus.REJECTED, 600);
        System.out.printf("gate test: good round %s: %s%n", first.getCheckpointId(), first.getGate().getReason());
        assertEquals(CheckpointStatus.CANDIDATE, first.getStatus(), first.toString());
        assertTrue(first.getGate().getPassed());
        assertEquals(SHIPPED, first.getParentCheckpointId(), "a fresh trainer refines the served checkpoint");
        assertEquals(SHIPPED, first.getGate().getServedCheckpointId());
        assertTrue(first.getGate().getServedAccuracy() > 0.2, "the shipped checkpoint answers: " + first.getGate());
        assertEquals(0.25, first.getTrafficShare(), 1e-9);
        assertEquals(2 * 38, first.getGate().getItems());
        assertEquals("validation-seen.jsonl", first.getGate().getEvalSet());
        assertEquals(first.getGate().getAccuracy(), first.getMetricsOrDefault("gate_accuracy", -1), 1e-9);
        assertEquals(300, first.getMetricsOrDefault("examples", -1), 1e-9);
        assertTrue(first.getGate().getAccuracy() >= first.getGate().getServedAccuracy() - margin);
        assertTrue(first.getSequence() > 0);

        trainer.promoteCheckpoint(PromoteRequest.newBuilder().setCheckpointId(first.getCheckpointId()).build());

        // a bad round: 300 examples whose responses are shuffled across tasks (the round's whole training set:
        // stream.max-examples = 300)
        List<TrainingExample> source = train.subList(300, 600);
        List<String> responses = new ArrayList<>(source.stream().map(TrainingExample::response).toList());
        Collections.shuffle(responses, new Random(2));
        List<TrainingExample> bad = new ArrayList<>();
        for (int i = 0; i < source.size(); i++) {
            bad.add(new TrainingExample(source.get(i).task(), source.get(i).prompt(), responses.get(i)));
        }
        send(bad, Map.of());
        CheckpointEvent second = await(e -> e.getSequence() > first.getSequence()
                && (e.getStatus() == CheckpointStatus.CANDIDATE || e.getStatus() == CheckpointStatus.REJECTED), 600);
        System.out.printf("gate test: shuffled round %s: %s%n", second.getCheckpointId(), second.getGate().getReason());
        assertEquals(CheckpointStatus.REJECTED, second.getStatus(), second.toString());
        assertFalse(second.getGate().getPassed());
        assertEquals(first.getCheckpointId(), second.getGate().getServedCheckpointId(), "served = promoted.json");
        assertEquals(first.getGate().getAccuracy(), second.getGate().getServedAccuracy(), 1e-9, "cached score");
        assertTrue(second.getGate().getAccuracy() < second.getGate().getServedAccuracy() - margin);
        assertEquals(first.getCheckpointId(), second.getParentCheckpointId());
        assertEquals(0.0, second.getTrafficShare(), 1e-9);

        // the next round continues from the good one, never from the rejected one
        List<String> tasks = new ArrayList<>(new TreeSet<>(train.stream().map(TrainingExample::task).toList()));
        assertEquals(first.getCheckpointId(), training.parent(TrainingRun.Conditioning.MINILM, tasks).orElseThrow().id());
    }

    void send(List<TrainingExample> examples, Map<String, List<String>> descriptions) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "linger.ms", 50), new ByteArraySerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
            for (TrainingExample e : examples) {
                TrainingExampleEvent ev = TrainingExampleEvent.newBuilder().setSchemaVersion(1).setTask(e.task())
                        .setPrompt(e.prompt()).setResponse(e.response())
                        .addAllDescriptions(descriptions.getOrDefault(e.task(), List.of())).build();
                fs.add(p.send(TrainerServiceTest.record(Topics.TRAINING_EXAMPLES, e.task(), ProtoJson.encode(ev))));
            }
            for (var f : fs) f.get();
        }
    }

    CheckpointEvent await(Predicate<CheckpointEvent> p, int seconds) {
        List<ConsumerRecord<byte[], byte[]>> got = KafkaTestClient.readUntil(bootstrap, Topics.CHECKPOINTS,
                Duration.ofSeconds(seconds), l -> l.stream().map(TrainerServiceTest::checkpoint).anyMatch(p));
        return got.stream().map(TrainerServiceTest::checkpoint).filter(p).findFirst()
                .orElseThrow(() -> new AssertionError("no such CheckpointEvent in " + got.size() + " records"));
    }
}
