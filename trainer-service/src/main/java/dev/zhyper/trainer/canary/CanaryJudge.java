package dev.zhyper.trainer.canary;

import dev.zhyper.trainer.Ledger;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.ArmOutcome;
import dev.zhyper.proto.v1.CanaryStatus;
import dev.zhyper.proto.v1.FeedbackEvent;
import dev.zhyper.proto.v1.GenerationEvent;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.KafkaClientConfig;
import dev.zhyper.service.common.ProtoJson;
import dev.zhyper.service.common.ServingState;
import io.micrometer.core.instrument.Gauge;
import dev.zhyper.service.common.OwnedMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The canary judge: consumes {@code zhyper.generations} and {@code zhyper.feedback} (consumer group
 * {@code zhyper.canary.group-id}), joins them by request id ({@link FeedbackJoin}) and tallies the rewards of the
 * current round — the control and candidate checkpoints of the {@link Ledger} — per arm ({@link ArmStats}). With
 * {@code zhyper.canary.policy=auto} it promotes the candidate when the interval of mean(candidate) − mean(control)
 * at {@code zhyper.canary.confidence} lies above 0 with at least {@code min-samples} joined feedbacks per arm, and
 * rolls it back when the interval lies below 0 (PROMOTED / ROLLED_BACK CheckpointEvents through {@link Promotions}).
 * A new candidate (or control) starts a fresh round. Malformed records of either topic, invalid feedback (no request
 * id, no signal, reward outside [0, 1]) and feedback whose generation does not arrive within the join TTL go to
 * {@code zhyper.dlq.<topic>} with the reason; duplicates are counted and ignored. Tallies live in memory: after a
 * restart the judge continues from its committed offsets and counts the round anew (a decision is delayed, never
 * made on lost data).
 */
@ApplicationScoped
@Startup
public class CanaryJudge {

    private static final Logger LOG = Logger.getLogger(CanaryJudge.class);

    public enum Verdict { NO_CANDIDATE, WAITING, PROMOTE, ROLL_BACK }

    @Inject
    CanarySettings settings;

    @Inject
    Ledger ledger;

    @Inject
    Promotions promotions;

    @Inject
    DeadLetterPublisher deadLetters;

    @Inject
    MeterRegistry meters;


    @Inject
    KafkaClientConfig kafka;

    private FeedbackJoin join;
    private KafkaConsumer<String, byte[]> consumer;
    private Thread thread;
    private volatile boolean closed;
    private double z;
    private OwnedMeters gauges;

    /** The current round (guarded by this). */
    private Round round = new Round(null, null, 0);
    private final Map<String, Long> counts = new HashMap<>();

    private static final class Round {
        final String controlId;
        final String candidateId;
        final double share;
        final ArmStats control = new ArmStats();
        final ArmStats candidate = new ArmStats();
        String controlArm = "";
        String candidateArm = "";
        /** Checkpoint of the control's generations (when no promotion was announced, the configured one). */
        String controlSeenId;
        boolean decided;
        Verdict verdict = Verdict.NO_CANDIDATE;
        String reason = "";

        Round(String controlId, String candidateId, double share) {
            this.controlId = controlId;
            this.candidateId = candidateId;
            this.share = share;
        }
    }

    @PostConstruct
    void start() {
        if (!settings.enabled) {
            LOG.info("canary judge disabled (zhyper.canary.enabled=false)");
            return;
        }
        settings.auto(); // validates the policy
        z = Intervals.z(settings.confidence());
        join = new FeedbackJoin(settings.joinTtlMs, settings.joinMaxEntries);
        consumer = new KafkaConsumer<>(kafka.consumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, settings.groupId,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, settings.autoOffsetReset,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true,
                ConsumerConfig.CLIENT_ID_CONFIG, "zhyper-trainer-canary-" + ProcessHandle.current().pid())),
                new StringDeserializer(), new ByteArrayDeserializer());
        gauges = new OwnedMeters(meters);
        for (String arm : List.of("control", "candidate")) {
            gauges.own(Gauge.builder("zhyper.trainer.canary.mean.reward", this, j -> j.snapshot(arm).mean())
                    .tag("arm", arm).description("mean reward of the arm in the current canary round").register(meters));
            gauges.own(Gauge.builder("zhyper.trainer.canary.samples", this, j -> j.snapshot(arm).n())
                    .tag("arm", arm).description("joined feedbacks of the arm in the current round").register(meters));
        }
        gauges.own(Gauge.builder("zhyper.trainer.canary.diff.lower", this, j -> j.diff().lower())
                .description("lower bound of mean(candidate) - mean(control)").register(meters));
        gauges.own(Gauge.builder("zhyper.trainer.canary.diff.upper", this, j -> j.diff().upper())
                .description("upper bound of mean(candidate) - mean(control)").register(meters));
        gauges.own(Gauge.builder("zhyper.trainer.canary.feedback.waiting", this, j -> j.waiting())
                .description("feedback waiting for its generation").register(meters));
        thread = new Thread(this::run, "canary-judge");
        thread.setDaemon(true);
        thread.start();
    }

    @PreDestroy
    void stop() {
        closed = true;
        if (gauges != null) gauges.close();
        if (consumer != null) consumer.wakeup();
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.GENERATIONS, Topics.FEEDBACK));
            while (!closed) {
                ConsumerRecords<String, byte[]> recs = consumer.poll(Duration.ofMillis(500));
                long now = System.currentTimeMillis();
                synchronized (this) {
                    syncRound();
                    for (ConsumerRecord<String, byte[]> r : recs) {
                        if (r.topic().equals(Topics.GENERATIONS)) onGeneration(r, now);
                        else onFeedback(r, now);
                    }
                    for (FeedbackJoin.Waiting w : join.expire(now)) {
                        count("dead_lettered");
                        deadLetters.send(w.record(), "no generation with request id '" + w.requestId() + "' within the join TTL ("
                                + join.ttlMs() + " ms)");
                    }
                }
                decide();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("canary judge stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** A new control/candidate pair starts a fresh round (guarded by this). */
    private void syncRound() {
        ServingState s = ledger.state();
        if (!Objects.equals(s.controlId(), round.controlId) || !Objects.equals(s.candidateId(), round.candidateId)) {
            LOG.infof("canary round: control %s, candidate %s (share %s)", s.controlId(), s.candidateId(),
                    s.candidateShare());
            round = new Round(s.controlId(), s.candidateId(), s.candidateShare());
            if (s.candidateId() != null) round.verdict = Verdict.WAITING;
        }
    }

    private void onGeneration(ConsumerRecord<String, byte[]> r, long now) {
        GenerationEvent g;
        try {
            g = ProtoJson.decode(r.value(), GenerationEvent::newBuilder);
            if (g.getRequestId().isBlank()) throw new IllegalArgumentException("GenerationEvent.request_id is blank");
        } catch (RuntimeException e) {
            count("generation_dead_lettered");
            deadLetters.send(r, DeadLetterPublisher.reasonOf(e));
            return;
        }
        join.onGeneration(g.getRequestId(), new FeedbackJoin.Served(g.getArm(), g.getCheckpointId()), now)
                .ifPresent(this::tally);
    }

    private void onFeedback(ConsumerRecord<String, byte[]> r, long now) {
        FeedbackEvent f;
        double reward;
        try {
            f = ProtoJson.decode(r.value(), FeedbackEvent::newBuilder);
            if (f.getRequestId().isBlank()) throw new IllegalArgumentException("FeedbackEvent.request_id is blank");
            reward = switch (f.getSignalCase()) {
                case REWARD -> f.getReward();
                case THUMBS_UP -> f.getThumbsUp() ? 1 : 0;
                default -> throw new IllegalArgumentException("FeedbackEvent needs reward or thumbs_up");
            };
            if (!(reward >= 0 && reward <= 1)) {
                throw new IllegalArgumentException("FeedbackEvent.reward must be in [0, 1], got " + reward);
            }
        } catch (RuntimeException e) {
            count("dead_lettered");
            deadLetters.send(r, DeadLetterPublisher.reasonOf(e));
            return;
        }
        List<FeedbackJoin.Joined> out = new ArrayList<>(1);
        FeedbackJoin.Result res = join.onFeedback(f.getRequestId(), reward, r, now, out);
        if (res == FeedbackJoin.Result.DUPLICATE) count("duplicate");
        out.forEach(this::tally);
    }

    private void tally(FeedbackJoin.Joined j) {
        count("joined");
        if (j.checkpointId().equals(round.candidateId)) {
            round.candidate.add(j.reward());
            round.candidateArm = j.arm();
        } else if (j.checkpointId().equals(round.controlId)
                || (round.controlId == null && j.arm().equals(settings.controlArm))) {
            // no promotion announced yet (the generator serves zhyper.checkpoint.dir): the control arm by name
            round.control.add(j.reward());
            round.controlArm = j.arm();
            round.controlSeenId = j.checkpointId();
        } else {
            count("other_checkpoint");
        }
    }

    /** Applies the policy to the current round (outside the lock: publishing waits for the broker). */
    private void decide() {
        String candidate;
        String control;
        Verdict v;
        String reason;
        synchronized (this) {
            if (round.candidateId == null || round.decided) return;
            evaluate(round);
            v = round.verdict;
            reason = round.reason;
            candidate = round.candidateId;
            control = round.controlId;
            if (v == Verdict.WAITING || !settings.auto()) return;
            round.decided = true;
        }
        try {
            if (v == Verdict.PROMOTE) {
                promotions.promote(candidate, "canary: " + reason);
            } else {
                promotions.rollback(candidate, null, "canary: " + reason);
            }
            meters.counter("zhyper.trainer.canary.decisions", "verdict", v.name().toLowerCase()).increment();
            LOG.infof("canary %s candidate %s against control %s: %s", v, candidate, control, reason);
        } catch (RuntimeException e) {
            LOG.errorf(e, "canary decision %s for %s could not be published; retrying", v, candidate);
            synchronized (this) {
                if (Objects.equals(round.candidateId, candidate)) round.decided = false;
            }
        }
    }

    /** Sets the round's verdict and reason from its tallies. */
    private void evaluate(Round r) {
        ArmStats.Snapshot a = r.candidate.snapshot();
        ArmStats.Snapshot b = r.control.snapshot();
        if (a.n() < settings.minSamples() || b.n() < settings.minSamples()) {
            r.verdict = Verdict.WAITING;
            r.reason = "candidate " + a.n() + ", control " + b.n() + " joined feedbacks; each arm needs "
                    + settings.minSamples();
            return;
        }
        Intervals.Interval d = Intervals.difference(a, b, z);
        String fig = String.format(java.util.Locale.ROOT, "mean %.4f (n %d) vs control %.4f (n %d), %s %.0f%% interval"
                        + " of the difference [%.4f, %.4f]", a.mean(), a.n(), b.mean(), b.n(),
                Intervals.differenceMethod(a, b), 100 * settings.confidence(), d.lower(), d.upper());
        if (d.lower() > 0) {
            r.verdict = Verdict.PROMOTE;
            r.reason = "candidate wins: " + fig;
        } else if (d.upper() < 0) {
            r.verdict = Verdict.ROLL_BACK;
            r.reason = "candidate loses: " + fig;
        } else {
            r.verdict = Verdict.WAITING;
            r.reason = "not significant yet: " + fig;
        }
    }

    private synchronized ArmStats.Snapshot snapshot(String arm) {
        return arm.equals("candidate") ? round.candidate.snapshot() : round.control.snapshot();
    }

    private synchronized Intervals.Interval diff() {
        if (round.candidateId == null) return new Intervals.Interval(0, 0);
        return Intervals.difference(round.candidate.snapshot(), round.control.snapshot(), z);
    }

    private synchronized int waiting() {
        return join == null ? 0 : join.waitingCount();
    }

    /** The canary's state for Trainer.GetCanary. */
    public synchronized CanaryStatus status() {
        CanaryStatus.Builder b = CanaryStatus.newBuilder()
                .setPolicy(settings.auto() ? "auto" : "manual")
                .setConfidence(settings.confidence())
                .setMinSamples(settings.minSamples())
                .setSequence(ledger.state().sequence())
                .setFeedbackJoined(counts.getOrDefault("joined", 0L))
                .setFeedbackPending(join == null ? 0 : join.waitingCount())
                .setFeedbackDuplicate(counts.getOrDefault("duplicate", 0L))
                .setFeedbackDeadLettered(counts.getOrDefault("dead_lettered", 0L))
                .setFeedbackOtherCheckpoint(counts.getOrDefault("other_checkpoint", 0L));
        if (!settings.enabled) return b.setVerdict("DISABLED").setReason("zhyper.canary.enabled=false").build();
        syncRound();
        Round r = round;
        String controlId = r.controlId != null ? r.controlId : r.controlSeenId;
        if (controlId != null) b.setControlCheckpointId(controlId);
        b.setControl(outcome(r.controlArm, controlId, r.control.snapshot()));
        if (r.candidateId == null) {
            return b.setVerdict(Verdict.NO_CANDIDATE.name()).setReason("no candidate is served").build();
        }
        if (!r.decided) evaluate(r);
        ArmStats.Snapshot a = r.candidate.snapshot();
        ArmStats.Snapshot c = r.control.snapshot();
        Intervals.Interval d = Intervals.difference(a, c, z);
        return b.setCandidateCheckpointId(r.candidateId).setTrafficShare(r.share)
                .setCandidate(outcome(r.candidateArm, r.candidateId, a))
                .setDiffLower(d.lower()).setDiffUpper(d.upper()).setDiffMethod(Intervals.differenceMethod(a, c))
                .setVerdict(r.verdict.name()).setReason(r.reason).build();
    }

    private ArmOutcome outcome(String arm, String id, ArmStats.Snapshot s) {
        Intervals.Interval i = s.interval(z);
        return ArmOutcome.newBuilder().setArm(arm).setCheckpointId(id == null ? "" : id).setN(s.n())
                .setMeanReward(s.mean()).setCiLower(i.lower()).setCiUpper(i.upper()).setMethod(s.method()).build();
    }

    private void count(String what) {
        counts.merge(what, 1L, Long::sum);
        meters.counter("zhyper.trainer.canary.feedback", "result", what).increment();
    }
}
