package dev.zhyper.trainer;

import dev.zhyper.training.TrainingRun;
import dev.zhyper.proto.v1.CheckpointInfo;
import dev.zhyper.proto.v1.Job;
import dev.zhyper.proto.v1.StartJobRequest;
import dev.zhyper.service.common.CheckpointPaths;
import dev.zhyper.service.common.OwnedMeters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;

/**
 * The trainer's training, as one bean for the gRPC service, the control and example consumers and the canary: a thin
 * façade that wires its parts by role and starts them.
 * <ul>
 *     <li>{@link TrainingThread}: the ONE background thread; jobs, rounds and the recovery at start queue behind each
 *     other and run one at a time.</li>
 *     <li>{@link JobQueue} (validation by {@link JobPlanner}): start, get, cancel and resume jobs.</li>
 *     <li>{@link StreamRounds}: a streaming round, continuing from its parent ({@link RoundParents}).</li>
 *     <li>{@link TrainingRunner}: trains in a hidden work directory, which becomes {@code <root>/<name>} by one atomic
 *     rename when training ends.</li>
 *     <li>{@link CheckpointAnnouncer}: gates and announces it on {@code zhyper.checkpoints}, then applies
 *     {@link Retention}.</li>
 * </ul>
 */
@ApplicationScoped
@Startup
public class TrainingService {

    private static final Logger LOG = Logger.getLogger(TrainingService.class);
    /** Job id of streaming training (key of its progress events, job_id of its checkpoints). */
    public static final String STREAM_JOB_ID = "stream";

    @Inject
    TrainerSettings settings;

    @Inject
    EventPublisher events;

    @Inject
    ExampleLog exampleLog;

    @Inject
    MeterRegistry registry;

    @Inject
    TrainerState state;

    @Inject
    EvaluationGate gate;

    @Inject
    Ledger ledger;

    CheckpointStore store;
    private OwnedMeters gauges;
    private TrainingThread thread;
    private JobQueue jobs;
    private StreamRounds rounds;

    /** A checkpoint a round continues from. */
    record Parent(String id, Path dir, long step, boolean stream) {}

    @PostConstruct
    void init() {
        settings.validate();
        gate.validate();
        store = new CheckpointStore(settings.checkpointsRoot());
        thread = new TrainingThread();
        RoundParents parents = parents();
        CheckpointAnnouncer announcer = new CheckpointAnnouncer(store, state, gate, events, parents,
                new Retention(settings.retentionKeepLast(), store, state, ledger, parents), registry);
        TrainingRunner runner = new TrainingRunner(settings, store, events, announcer, registry);
        jobs = new JobQueue(settings, new JobStore(store.root()), new JobPlanner(settings, exampleLog, runner), runner,
                thread);
        rounds = new StreamRounds(settings, store, state, parents, runner);
        gauges = new OwnedMeters(registry);
        gauges.own(jobs.queuedGauge(registry));
        gauges.own(Gauge.builder("zhyper.trainer.jobs.running", thread, t -> t.running() == null ? 0 : 1)
                .description("1 while a job or a streaming round trains").register(registry));
        // first task of the training thread: everything after it sees a clean root and every checkpoint announced
        thread.submit(null, () -> {
            try {
                announcer.recover();
            } catch (RuntimeException e) {
                LOG.errorf(e, "recovery at start failed");
            }
            return null;
        });
        jobs.load();
    }

    @PreDestroy
    void shutdown() {
        if (gauges != null) gauges.close();
        if (jobs != null) jobs.cancelAll();
        if (thread != null) thread.close();
    }

    public CheckpointStore store() {
        return store;
    }

    /** The id of the job (or "stream") training now, or null. */
    public String runningJob() {
        return thread.running();
    }

    // ------------------------------------------------------------------------------------------------------ jobs

    /** {@link JobQueue#start}. */
    public Job startJob(StartJobRequest req) {
        return jobs.start(req);
    }

    /** {@link JobQueue#resume}. */
    public Job resumeJob(String id) {
        return jobs.resume(id);
    }

    /** {@link JobQueue#get}. */
    public Job getJob(String id) {
        return jobs.get(id);
    }

    /** {@link JobQueue#cancel}. */
    public Job cancelJob(String id) {
        return jobs.cancel(id);
    }

    // ----------------------------------------------------------------------------------------------- streaming

    /**
     * Queues a streaming round ({@link StreamRounds#round}) on the training thread. The future completes after the
     * checkpoint is written, gated AND announced.
     */
    public Future<CheckpointInfo> submitRound(ExampleLog.Snapshot data) {
        return thread.submit(STREAM_JOB_ID, () -> rounds.round(data));
    }

    /** {@link RoundParents#parent}. */
    Optional<Parent> parent(TrainingRun.Conditioning cond, List<String> labels) {
        return parents().parent(cond, labels);
    }

    /** {@link RoundParents#served}. */
    public Optional<EvaluationGate.Served> served() {
        return parents().served();
    }

    /** {@link Retention#apply}. */
    void applyRetention() {
        new Retention(settings.retentionKeepLast(), store, state, ledger, parents()).apply();
    }

    private RoundParents parents() {
        return new RoundParents(settings, store, state);
    }

    /** The job that wrote a checkpoint, from its directory name ({@code <job>-step<N>} or {@code stream-...}). */
    public static String jobOf(CheckpointInfo info) {
        if (info.getUri().isBlank()) return "";
        String name;
        try {
            Path p = CheckpointPaths.parse(info.getUri()).getFileName();
            if (p == null) return "";
            name = p.toString();
        } catch (RuntimeException e) {
            return "";
        }
        if (name.startsWith(CheckpointStore.STREAM_PREFIX)) return STREAM_JOB_ID;
        int i = name.lastIndexOf("-step");
        return i > 0 ? name.substring(0, i) : "";
    }
}
