package dev.zhyper.trainer;

import dev.zhyper.core.data.TrainingExample;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointInfo;
import dev.zhyper.proto.v1.TrainingExampleEvent;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.KafkaClientConfig;
import dev.zhyper.service.common.ProtoJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import dev.zhyper.service.common.OwnedMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Streaming training from {@code zhyper.training.examples} with a plain {@link KafkaConsumer} on its own thread
 * (group {@code zhyper.trainer.stream.group-id}, auto-commit off), so that offsets are committed exactly when the
 * examples they cover are safely inside an announced checkpoint:
 * <ol>
 * <li>Valid examples are added to the {@link ExampleLog} (task → descriptions accumulate) and counted as pending;
 *     invalid or undecodable records go to {@code zhyper.dlq.zhyper.training.examples} with the reason.</li>
 * <li>A round is due when {@code stream.min-examples} examples are pending, or {@code stream.max-wait-ms} after the
 *     first pending one. The consumer pauses its partitions (it keeps polling, so it stays in the group however long
 *     training takes) and the round trains on everything seen so far.</li>
 * <li>Only after the checkpoint is written (atomic rename) and its CheckpointEvent acknowledged does the consumer
 *     {@code commitSync} the offsets of everything the round covers. A crash before that loses nothing: the
 *     examples are consumed again. A failed round is retried after {@code stream.retry-backoff-ms}.</li>
 * </ol>
 * A dead-lettered record is committed as soon as no pending example precedes it in its partition (else with the next
 * round). If the DLQ write itself fails, the consumer restarts from the last committed offset (nothing dropped).
 */
@ApplicationScoped
public class StreamingTrainer {

    private static final Logger LOG = Logger.getLogger(StreamingTrainer.class);

    @Inject
    TrainerSettings settings;

    @Inject
    TrainingService training;

    @Inject
    ExampleLog exampleLog;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    ExampleCheck check;

    @Inject
    MeterRegistry registry;

    @Inject
    KafkaClientConfig kafka;

    private volatile boolean running;
    private volatile Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Throwable lastError;

    // consumer-thread state
    private final List<Pending> pending = new ArrayList<>();
    private final Map<TopicPartition, Long> toCommit = new HashMap<>();
    /** Partitions being re-read from the beginning up to (excluding) their committed offset, to rebuild the log. */
    private final Map<TopicPartition, Long> replayUntil = new HashMap<>();
    /** Partitions whose committed records this process has already put back into the example log. */
    private final java.util.Set<TopicPartition> replayed = new java.util.HashSet<>();
    private long firstPendingNanos;
    private long retryAfterNanos;
    private Future<CheckpointInfo> inFlight;
    private Map<TopicPartition, OffsetAndMetadata> inFlightOffsets;
    private volatile int pendingCount;

    Counter consumed;
    Counter deadLettered;
    Counter rounds;
    Counter roundsFailed;
    Counter replayedExamples;
    private OwnedMeters gauges;

    private record Pending(TopicPartition tp, long offset) {}

    void onStart(@Observes StartupEvent ev) {
        gauges = new OwnedMeters(registry);
        consumed = Counter.builder("zhyper.trainer.examples.consumed")
                .description("valid examples consumed from zhyper.training.examples").register(registry);
        deadLettered = Counter.builder("zhyper.trainer.examples.dead.lettered")
                .description("records of zhyper.training.examples sent to the DLQ").register(registry);
        rounds = Counter.builder("zhyper.trainer.stream.rounds").description("streaming rounds completed")
                .register(registry);
        replayedExamples = Counter.builder("zhyper.trainer.examples.replayed")
                .description("committed examples re-read from zhyper.training.examples at start to rebuild the log")
                .register(registry);
        roundsFailed = Counter.builder("zhyper.trainer.stream.rounds.failed")
                .description("streaming rounds that failed (retried)").register(registry);
        gauges.own(Gauge.builder("zhyper.trainer.examples.pending", this, s -> s.pendingCount)
                .description("examples consumed but not yet covered by a checkpoint").register(registry));
        if (!settings.streamEnabled()) {
            LOG.info("streaming training disabled (zhyper.trainer.stream.enabled=false)");
            return;
        }
        running = true;
        Thread t = new Thread(this::loop, "zhyper-trainer-stream");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void onStop(@Observes ShutdownEvent ev) {
        running = false;
        if (gauges != null) gauges.close();
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) c.wakeup();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the consumer thread is alive (or streaming is disabled). */
    public boolean healthy() {
        return !settings.streamEnabled() || (thread != null && thread.isAlive());
    }

    /** Examples consumed but not yet covered by a committed checkpoint. */
    public int pendingCount() {
        return pendingCount;
    }

    public Throwable lastError() {
        return lastError;
    }

    private void loop() {
        while (running) {
            try (KafkaConsumer<String, byte[]> c = newConsumer()) {
                consumer = c;
                resetState();
                c.subscribe(List.of(Topics.TRAINING_EXAMPLES), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        forget(partitions);
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        if (inFlight != null) c.pause(partitions);
                        replayFromTheBeginning(c, partitions);
                    }
                });
                while (running) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        Long until = replayUntil.get(tp);
                        if (until != null && r.offset() < until) {
                            replay(r);
                        } else {
                            handle(c, r);
                        }
                    }
                    replayDone(c);
                    finishRound(c);
                    startRound(c);
                }
            } catch (WakeupException e) {
                // shutdown
            } catch (Throwable e) {
                lastError = e;
                LOG.errorf(e, "streaming consumer failed; restarting from the committed offsets in %d ms",
                        settings.streamRetryBackoffMs());
                sleep(settings.streamRetryBackoffMs());
            } finally {
                consumer = null;
            }
        }
        if (inFlight != null) inFlight.cancel(true);
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(ConsumerConfig.GROUP_ID_CONFIG, settings.streamGroupId());
        cfg.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        cfg.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cfg.put(ConsumerConfig.CLIENT_ID_CONFIG, "zhyper-trainer-stream-" + ProcessHandle.current().pid());
        cfg.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        return new KafkaConsumer<>(kafka.consumer(cfg), new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void resetState() {
        if (inFlight != null) {
            inFlight.cancel(true);
            inFlight = null;
        }
        pending.clear();
        toCommit.clear();
        replayUntil.clear();
        pendingCount = 0;
    }

    /**
     * The example log is rebuilt from the topic itself: a partition assigned for the first time in this process is
     * read from its beginning; records below the committed offset (already covered by an announced checkpoint) go
     * back into the log only — they are not pending, not dead-lettered again, not committed again — so examples and
     * task descriptions from earlier runs are part of every later round. Rounds wait until the replay is done.
     */
    private void replayFromTheBeginning(KafkaConsumer<String, byte[]> c, Collection<TopicPartition> partitions) {
        List<TopicPartition> fresh = partitions.stream().filter(tp -> !replayed.contains(tp)).toList();
        if (fresh.isEmpty()) return;
        Map<TopicPartition, OffsetAndMetadata> committed = c.committed(new java.util.HashSet<>(fresh));
        List<TopicPartition> seek = new ArrayList<>();
        for (TopicPartition tp : fresh) {
            OffsetAndMetadata o = committed.get(tp);
            replayed.add(tp);
            if (o != null && o.offset() > 0) {
                replayUntil.put(tp, o.offset());
                seek.add(tp);
            }
        }
        if (!seek.isEmpty()) {
            c.seekToBeginning(seek);
            LOG.infof("rebuilding the example log: re-reading %s up to the committed offsets %s", seek, replayUntil);
        }
    }

    private void replay(ConsumerRecord<String, byte[]> r) {
        try {
            TrainingExampleEvent ev = ProtoJson.decode(r.value(), TrainingExampleEvent::newBuilder);
            TrainingExample e = validate(ev);
            exampleLog.add(r.partition(), r.offset(), e, descriptionsOf(ev));
            replayedExamples.increment();
        } catch (RuntimeException e) {
            // dead-lettered when it was first consumed
        }
    }

    private void replayDone(KafkaConsumer<String, byte[]> c) {
        if (replayUntil.isEmpty()) return;
        var it = replayUntil.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (!c.assignment().contains(e.getKey()) || c.position(e.getKey()) >= e.getValue()) {
                it.remove();
                LOG.infof("example log rebuilt from %s: %d examples", e.getKey(), exampleLog.size());
            }
        }
    }

    /** Checks a decoded example (everything intake checks); returns it or throws with the reason. */
    private TrainingExample validate(TrainingExampleEvent ev) {
        List<String> descs = descriptionsOf(ev);
        if (descs.isEmpty() && !exampleLog.knowsTask(ev.getTask())) {
            throw new IllegalArgumentException("task '" + ev.getTask() + "' has no descriptions yet: send"
                    + " descriptions[] (or context) with its examples");
        }
        TrainingExample e = new TrainingExample(ev.getTask(), ev.getPrompt(), ev.getResponse());
        if (e.prompt().isBlank() || e.response().isBlank()) {
            throw new IllegalArgumentException("example of task '" + ev.getTask() + "' has a blank prompt or response");
        }
        check.problem(e.task(), e.prompt(), e.response()).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        return e;
    }

    private void forget(Collection<TopicPartition> revoked) {
        pending.removeIf(p -> revoked.contains(p.tp()));
        toCommit.keySet().removeAll(revoked);
        pendingCount = pending.size();
    }

    private void handle(KafkaConsumer<String, byte[]> c, ConsumerRecord<String, byte[]> r) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        try {
            TrainingExampleEvent ev = ProtoJson.decode(r.value(), TrainingExampleEvent::newBuilder);
            TrainingExample e = validate(ev);
            exampleLog.add(r.partition(), r.offset(), e, descriptionsOf(ev));
            if (pending.isEmpty()) firstPendingNanos = System.nanoTime();
            pending.add(new Pending(tp, r.offset()));
            pendingCount = pending.size();
            toCommit.put(tp, r.offset() + 1);
            consumed.increment();
        } catch (RuntimeException e) {
            // throws if the DLQ write fails: the consumer restarts from the committed offsets
            deadLetters.send(r, DeadLetterPublisher.reasonOf(e), deadLettered);
            toCommit.put(tp, r.offset() + 1);
            boolean precededByPending = pending.stream().anyMatch(p -> p.tp().equals(tp));
            if (!precededByPending && inFlight == null) {
                c.commitSync(Map.of(tp, new OffsetAndMetadata(r.offset() + 1)));
                toCommit.remove(tp);
            }
        }
    }

    private static List<String> descriptionsOf(TrainingExampleEvent ev) {
        if (ev.getTask().isBlank()) throw new IllegalArgumentException("task is blank");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ev.getDescriptionsCount(); i++) {
            String d = ev.getDescriptions(i);
            if (d.isBlank()) throw new IllegalArgumentException("descriptions[" + i + "] is blank");
            out.add(d);
        }
        if (!ev.getContext().isBlank()) out.add(ev.getContext());
        return out;
    }

    private void startRound(KafkaConsumer<String, byte[]> c) {
        if (inFlight != null || pending.isEmpty() || !replayUntil.isEmpty() || System.nanoTime() < retryAfterNanos) return;
        boolean enough = pending.size() >= settings.streamMinExamples();
        boolean waited = (System.nanoTime() - firstPendingNanos) / 1_000_000 >= settings.streamMaxWaitMs();
        if (!enough && !waited) return;
        inFlightOffsets = new HashMap<>();
        toCommit.forEach((tp, o) -> inFlightOffsets.put(tp, new OffsetAndMetadata(o)));
        c.pause(c.assignment());
        LOG.infof("streaming round due: %d new examples (%s)", pending.size(), enough ? "min-examples reached"
                : "max-wait-ms passed");
        inFlight = training.submitRound(exampleLog.snapshot());
    }

    private void finishRound(KafkaConsumer<String, byte[]> c) {
        if (inFlight == null || !inFlight.isDone()) return;
        Future<CheckpointInfo> f = inFlight;
        inFlight = null;
        c.resume(c.paused());
        CheckpointInfo info;
        try {
            info = f.get();
        } catch (ExecutionException e) {
            roundsFailed.increment();
            lastError = e.getCause();
            LOG.errorf(e.getCause(), "streaming round failed; retrying in %d ms", settings.streamRetryBackoffMs());
            retryAfterNanos = System.nanoTime() + settings.streamRetryBackoffMs() * 1_000_000;
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (java.util.concurrent.CancellationException e) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(inFlightOffsets);
        offsets.keySet().retainAll(c.assignment());
        FaultPoints.reach("before-commit");
        if (!offsets.isEmpty()) c.commitSync(offsets);
        for (var e : offsets.entrySet()) {
            long next = e.getValue().offset();
            pending.removeIf(p -> p.tp().equals(e.getKey()) && p.offset() < next);
            toCommit.computeIfPresent(e.getKey(), (tp, o) -> o <= next ? null : o);
        }
        // records dead-lettered while the round trained, with no pending example before them: commit them now
        Map<TopicPartition, OffsetAndMetadata> rest = new HashMap<>();
        toCommit.forEach((tp, o) -> {
            if (c.assignment().contains(tp) && pending.stream().noneMatch(p -> p.tp().equals(tp))) {
                rest.put(tp, new OffsetAndMetadata(o));
            }
        });
        if (!rest.isEmpty()) {
            c.commitSync(rest);
            toCommit.keySet().removeAll(rest.keySet());
        }
        pendingCount = pending.size();
        if (!pending.isEmpty()) firstPendingNanos = System.nanoTime();
        rounds.increment();
        LOG.infof("streaming round done: checkpoint %s (step %d); committed %s", info.getCheckpointId(),
                info.getStep(), offsets);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
