package dev.zhyper.service.common;

import dev.zhyper.proto.Topics;
import dev.zhyper.stack.EmbeddedKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * Quarkus test resource: a real in-process Kafka broker (stack's {@link EmbeddedKafka}, KRaft) with all Zhyper
 * topics and their DLQs created; sets {@code kafka.bootstrap.servers} for the application under test. Tests read
 * the address with {@code @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap}.
 *
 * <pre>{@code
 * @QuarkusTest
 * @QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
 * class MyServiceTest { ... }
 * }</pre>
 * Needs {@code zhyper-stack} on the test classpath (test scope) — service-common declares it optional.
 * The log directory is a temp dir deleted on stop.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedKafka kafka;

    @Override
    public Map<String, String> start() {
        try {
            kafka = EmbeddedKafka.start(Files.createTempDirectory("zhyper-kafka-test"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        kafka.deleteLogDirOnClose(true);
        kafka.createTopics(Topics.allWithDlq().toArray(String[]::new));
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers());
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }
}
