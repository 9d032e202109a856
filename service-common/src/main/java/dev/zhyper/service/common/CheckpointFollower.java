package dev.zhyper.service.common;

import dev.zhyper.proto.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads {@code zhyper.checkpoints} from the beginning with a plain consumer on its own thread (all partitions
 * assigned, no consumer group, nothing committed: every replica sees every announcement): first the whole history up
 * to the end offsets found at start, handed over at once to {@code onHistory} (to be folded into the current
 * {@link ServingState}), then every later record, one by one, to {@code onLive}. {@link #awaitCaughtUp} lets a
 * starting service wait for the history before it serves. Callbacks run on the follower's thread; an exception in a
 * callback is logged and the follower goes on. Without a reachable broker or topic it starts with an empty history
 * (so a service does not wait forever) and retries every few seconds; when the topic becomes readable, its records
 * up to the end offsets are handed to {@code onHistory} again (folded, not replayed one by one), then live ones.
 */
public final class CheckpointFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointFollower.class);

    private final String topic;
    private final KafkaClientConfig kafka;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Consumer<List<ConsumerRecord<String, byte[]>>> onHistory;
    private final Consumer<ConsumerRecord<String, byte[]>> onLive;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean closed;
    private volatile long historyRecords = -1;
    private volatile RuntimeException lastError;

    public CheckpointFollower(KafkaClientConfig kafka, String clientId,
                              Consumer<List<ConsumerRecord<String, byte[]>>> onHistory,
                              Consumer<ConsumerRecord<String, byte[]>> onLive) {
        this(kafka, Topics.CHECKPOINTS, clientId, onHistory, onLive);
    }

    public CheckpointFollower(KafkaClientConfig kafka, String topic, String clientId,
                              Consumer<List<ConsumerRecord<String, byte[]>>> onHistory,
                              Consumer<ConsumerRecord<String, byte[]>> onLive) {
        this.topic = topic;
        this.onHistory = onHistory;
        this.onLive = onLive;
        this.kafka = kafka;
        consumer = new KafkaConsumer<>(kafka.consumer(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")), new StringDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::run, "checkpoint-follower-" + clientId);
        thread.setDaemon(true);
    }

    public CheckpointFollower start() {
        thread.start();
        return this;
    }

    /**
     * Starts and waits up to {@code timeout} for the history to be handed over; runs {@code onTimeout} (a warning:
     * the service serves what it has until the history comes) when it was not. An interrupt ends the wait (the
     * thread's flag is set again).
     */
    public CheckpointFollower startAndAwait(Duration timeout, Runnable onTimeout) {
        start();
        try {
            if (!awaitCaughtUp(timeout)) onTimeout.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return this;
    }

    /** Waits until the history was handed to {@code onHistory}; false on timeout. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    /**
     * Why the topic could not be read (yet), e.g. an {@link AuthenticationException} for wrong credentials; null once
     * it is read.
     */
    public RuntimeException lastError() {
        return lastError;
    }

    /** Records in the (last) history handed over (-1 before any). */
    public long historyRecords() {
        return historyRecords;
    }

    private void run() {
        try {
            List<TopicPartition> parts = List.of();
            while (!closed && parts.isEmpty()) {
                try {
                    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
                    parts = infos == null ? List.of()
                            : infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                } catch (WakeupException e) {
                    throw e;
                } catch (AuthenticationException e) {
                    lastError = e;
                    LOG.error("{} refused this client's credentials or TLS handshake ({}): check kafka.security.protocol,"
                            + " kafka.sasl.* and kafka.ssl.*; retrying", kafka, e.getMessage());
                } catch (RuntimeException e) {
                    lastError = e;
                    LOG.warn("{} not readable yet ({}); retrying", topic, e.toString());
                }
                if (parts.isEmpty() && !closed) {
                    if (caughtUp.getCount() > 0) {
                        LOG.warn("{} has no partitions (yet): starting from the configuration", topic);
                        deliverHistory(List.of());
                    }
                    Thread.sleep(3000);
                }
            }
            if (closed) return;
            lastError = null;
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
            List<ConsumerRecord<String, byte[]>> history = new ArrayList<>();
            while (!closed && !reached(ends)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) history.add(r);
            }
            if (closed) return;
            deliverHistory(history); // also when the topic appeared after an empty start: folded, not replayed
            while (!closed) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) deliverLive(r);
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            lastError = e;
            LOG.error("checkpoint follower of {} on {} stopped", topic, kafka, e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) return false;
        }
        return true;
    }

    private void deliverHistory(List<ConsumerRecord<String, byte[]>> history) {
        try {
            historyRecords = history.size();
            onHistory.accept(history);
        } catch (RuntimeException e) {
            LOG.error("folding the history of {} failed", topic, e);
        } finally {
            caughtUp.countDown();
        }
    }

    private void deliverLive(ConsumerRecord<String, byte[]> r) {
        try {
            onLive.accept(r);
        } catch (RuntimeException e) {
            LOG.error("handling {}-{}@{} failed", r.topic(), r.partition(), r.offset(), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
