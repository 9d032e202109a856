package dev.zhyper.service.common;

import dev.zhyper.proto.Topics;
import dev.zhyper.stack.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The follower against a real broker: what was on the topic at start comes as one history, later records live. */
class CheckpointFollowerTest {

    @TempDir
    Path tmp;

    @Test
    void historyThenLive() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("k")).deleteLogDirOnClose(true)) {
            kafka.createTopics(Topics.CHECKPOINTS);
            for (int i = 0; i < 3; i++) {
                KafkaTestClient.send(kafka.bootstrapServers(), Topics.CHECKPOINTS, "h" + i, ("h" + i).getBytes(StandardCharsets.UTF_8));
            }
            List<List<String>> histories = new CopyOnWriteArrayList<>();
            List<String> live = new CopyOnWriteArrayList<>();
            try (CheckpointFollower f = new CheckpointFollower(KafkaClientConfig.plain(kafka.bootstrapServers()), "test-follower",
                    h -> histories.add(h.stream().map(r -> r.key()).toList()), r -> live.add(r.key())).start()) {
                assertTrue(f.awaitCaughtUp(Duration.ofSeconds(60)));
                assertEquals(List.of(List.of("h0", "h1", "h2")), histories);
                assertEquals(3, f.historyRecords());
                KafkaTestClient.send(kafka.bootstrapServers(), Topics.CHECKPOINTS, "l0", new byte[] {1});
                KafkaTestClient.send(kafka.bootstrapServers(), Topics.CHECKPOINTS, "l1", new byte[] {2});
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (live.size() < 2 && System.nanoTime() < deadline) Thread.sleep(50);
                assertEquals(List.of("l0", "l1"), live);
                assertEquals(1, histories.size(), "the history is handed over once");
            }
        }
    }
}
