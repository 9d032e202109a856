package dev.zhyper.stack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs an {@link EmbeddedKafka} in its own JVM until SIGTERM/SIGINT.
 *
 * <pre>
 * java -cp zhyper-stack.jar:lib/* dev.zhyper.stack.KafkaMain --log-dir DIR [--port P] [--controller-port C]
 *      [--topics t1,t2|--zhyper-topics] [--delete-on-exit]
 * </pre>
 *
 * Prints exactly one line {@code KAFKA_READY <bootstrap>} on stdout when the broker answers; everything else
 * (broker logs) goes to stderr. Exit code 0 after a clean stop, 1 on a start failure, 2 on bad arguments.
 */
public final class KafkaMain {

    /** The stdout line that announces readiness; followed by a space and the bootstrap servers. */
    public static final String READY_PREFIX = "KAFKA_READY ";

    /** Zhyper's event topics and their DLQs (kept here so stack does not depend on proto). */
    static final List<String> ZHYPER_TOPICS = List.of("zhyper.training.examples", "zhyper.training.control",
            "zhyper.training.progress", "zhyper.checkpoints", "zhyper.contexts", "zhyper.adapters",
            "zhyper.generations");

    private KafkaMain() {}

    public static void main(String[] args) {
        Path logDir = null;
        int port = 0;
        int controllerPort = 0;
        List<String> topics = new ArrayList<>();
        boolean deleteOnExit = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--log-dir" -> logDir = Path.of(args[++i]);
                    case "--port" -> port = Integer.parseInt(args[++i]);
                    case "--controller-port" -> controllerPort = Integer.parseInt(args[++i]);
                    case "--topics" -> {
                        for (String t : args[++i].split(",")) {
                            if (!t.isBlank()) topics.add(t.trim());
                        }
                    }
                    case "--zhyper-topics" -> {
                        topics.addAll(ZHYPER_TOPICS);
                        for (String t : ZHYPER_TOPICS) topics.add("zhyper.dlq." + t);
                    }
                    case "--delete-on-exit" -> deleteOnExit = true;
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            if (logDir == null) throw new IllegalArgumentException("--log-dir is required");
        } catch (RuntimeException e) {
            System.err.println("KafkaMain: " + e.getMessage());
            System.exit(2);
            return;
        }
        EmbeddedKafka kafka;
        try {
            kafka = EmbeddedKafka.start(logDir, port, controllerPort);
            kafka.deleteLogDirOnClose(deleteOnExit);
            if (!topics.isEmpty()) kafka.createTopics(topics.toArray(String[]::new));
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                kafka.close();
            } finally {
                stopped.countDown();
            }
        }, "kafka-shutdown"));
        System.out.println(READY_PREFIX + kafka.bootstrapServers());
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
