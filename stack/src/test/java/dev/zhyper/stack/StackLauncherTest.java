package dev.zhyper.stack;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** KafkaMain as a child JVM, launched and stopped through StackLauncher/ServiceProcess. */
class StackLauncherTest {

    @TempDir
    Path tmp;

    @Test
    void kafkaMainRunsInItsOwnJvmAndStopsOnSigterm() throws Exception {
        ServiceProcess kafkaProcess;
        try (StackLauncher stack = new StackLauncher(tmp).readyTimeout(Duration.ofSeconds(90))) {
            String bootstrap = stack.startKafka(StackLauncher.currentClasspath());
            assertTrue(bootstrap.startsWith("127.0.0.1:"), bootstrap);
            kafkaProcess = stack.processes().get(0);
            assertTrue(kafkaProcess.isAlive());
            EmbeddedKafkaTest.produce(bootstrap, "zhyper.contexts", "h", "{\"schemaVersion\":1}");
            List<ConsumerRecord<String, String>> got = EmbeddedKafkaTest.consume(bootstrap, "zhyper.contexts", 1);
            assertEquals(1, got.size());
            assertTrue(Files.readString(tmp.resolve("kafka.log")).contains("KAFKA_READY " + bootstrap));
        }
        assertFalse(kafkaProcess.isAlive(), "stopped by SIGTERM");
    }

    @Test
    void failingServiceReportsItsLog() {
        ServiceProcess p = ServiceProcess.mainClass("bad", StackLauncher.currentClasspath(), KafkaMain.class.getName())
                .logFile(tmp.resolve("bad.log")).start();
        try {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> p.awaitHttpReady(java.net.URI.create("http://127.0.0.1:1/q/health/ready"), Duration.ofSeconds(30)));
            assertTrue(e.getMessage().contains("--log-dir is required"), e.getMessage());
        } finally {
            p.close();
        }
    }
}
