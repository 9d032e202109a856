package dev.zhyper.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.data.Datasets;
import dev.zhyper.service.common.CheckpointPaths;
import dev.zhyper.service.common.ConfinedRoots;
import dev.zhyper.core.data.TrainingExample;
import dev.zhyper.core.embed.MiniLmEmbedder;
import dev.zhyper.core.checkpoint.Checkpoint;
import dev.zhyper.training.IncompatibleCheckpointException;
import dev.zhyper.training.LearningRate;
import dev.zhyper.training.WarmupConstant;
import dev.zhyper.training.TrainOptions;
import dev.zhyper.training.Trainer;
import dev.zhyper.training.TrainingRun;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointInfo;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.proto.v1.GateResult;
import dev.zhyper.proto.v1.Job;
import dev.zhyper.proto.v1.StartJobRequest;
import dev.zhyper.proto.v1.TrainingProgressEvent;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.ServingState;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import dev.zhyper.service.common.OwnedMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * Runs all training of the service on ONE background thread (jobs and streaming rounds queue behind each other, one at
 * a time): validates and queues jobs ({@link #startJob}), tracks their state, cancels them cooperatively (the
 * progress callback throws {@link CancelledException} after the current step), and trains streaming rounds
 * ({@link #submitRound}). Every run writes into a hidden work directory, which becomes {@code <root>/<name>} by one
 * atomic rename when training ends, and is then announced on {@code zhyper.checkpoints}.
 */
@ApplicationScoped
@Startup
public class TrainingService {

    private static final Logger LOG = Logger.getLogger(TrainingService.class);
    /** Job id of streaming training (key of its progress events, job_id of its checkpoints). */
    public static final String STREAM_JOB_ID = "stream";
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    @Inject
    TrainerSettings settings;

    @Inject
    EventPublisher events;

    @Inject
    ExampleLog exampleLog;

    @Inject
    MeterRegistry registry;

    private OwnedMeters gauges;

    @Inject
    TrainerState state;

    @Inject
    EvaluationGate gate;

    @Inject
    Ledger ledger;

    CheckpointStore store;
    JobStore jobStore;
    private ExecutorService executor;
    private final Map<String, JobState> jobs = new ConcurrentHashMap<>();
    private volatile String runningJob;
    Counter steps;
    Counter checkpointsWritten;
    Counter rejected;

    /** Thrown by the progress callback of a cancelled job. */
    static final class CancelledException extends RuntimeException {
        CancelledException(String jobId) {
            super("job " + jobId + " was cancelled");
        }
    }

    @PostConstruct
    void init() {
        settings.validate();
        gate.validate();
        store = new CheckpointStore(settings.checkpointsRoot());
        jobStore = new JobStore(store.root());
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "zhyper-trainer-train");
            t.setDaemon(true);
            return t;
        });
        steps = Counter.builder("zhyper.trainer.steps").description("optimiser steps completed (jobs and streaming)")
                .register(registry);
        checkpointsWritten = Counter.builder("zhyper.trainer.checkpoints.written")
                .description("checkpoints written and announced").register(registry);
        rejected = Counter.builder("zhyper.trainer.checkpoints.rejected")
                .description("checkpoints the evaluation gate rejected (announced REJECTED, never served)")
                .register(registry);
        gauges = new OwnedMeters(registry);
        gauges.own(Gauge.builder("zhyper.trainer.jobs.queued", jobs,
                js -> js.values().stream().filter(j -> j.state == Job.State.QUEUED).count())
                .description("jobs waiting for the training thread").register(registry));
        gauges.own(Gauge.builder("zhyper.trainer.jobs.running", this, s -> s.runningJob == null ? 0 : 1)
                .description("1 while a job or a streaming round trains").register(registry));
        // first task of the training thread: everything after it sees a clean root and every checkpoint announced
        executor.submit(() -> {
            try {
                recover();
            } catch (RuntimeException e) {
                LOG.errorf(e, "recovery at start failed");
            }
        });
        loadJobs();
    }

    /**
     * Jobs of earlier runs: finished ones are shown as they ended; QUEUED ones are queued again; a job that was
     * RUNNING when the process died becomes FAILED ("interrupted"), to be continued with RESUME.
     */
    private void loadJobs() {
        List<String> problems = new ArrayList<>();
        for (JobStore.Stored st : jobStore.load(problems)) {
            Job job = st.job();
            JobState j = new JobState(job.getJobId(), job.getTotalSteps(), st.request());
            j.step = job.getStep();
            j.loss = job.getLoss();
            j.checkpointId = job.getCheckpointId();
            j.error = job.getError();
            jobs.put(j.id, j);
            switch (job.getState()) {
                case QUEUED -> enqueue(j, "re-queued after a restart");
                case RUNNING -> {
                    j.error = "interrupted by a trainer restart at step " + j.step + "; RESUME continues it";
                    j.finish(Job.State.FAILED);
                }
                default -> j.finish(job.getState());
            }
        }
        problems.forEach(p -> LOG.warnf("job file skipped: %s", p));
        if (!jobs.isEmpty()) LOG.infof("%d job(s) of earlier runs loaded", jobs.size());
    }

    @PreDestroy
    void shutdown() {
        if (gauges != null) gauges.close();
        jobs.values().forEach(j -> j.cancelRequested = true);
        executor.shutdownNow();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public CheckpointStore store() {
        return store;
    }

    /** The id of the job (or "stream") training now, or null. */
    public String runningJob() {
        return runningJob;
    }

    // ------------------------------------------------------------------------------------------------------ jobs

    /** State of one job (fields written by the training thread, read by gRPC threads). */
    final class JobState {
        final String id;
        volatile Job.State state = Job.State.QUEUED;
        volatile long step;
        final long total;
        volatile double loss;
        volatile String checkpointId = "";
        volatile String error = "";
        volatile boolean cancelRequested;
        volatile CountDownLatch done = new CountDownLatch(1);
        final StartJobRequest request;

        JobState(String id, long total, StartJobRequest request) {
            this.id = id;
            this.total = total;
            this.request = request;
        }

        Job toProto() {
            return Job.newBuilder().setJobId(id).setState(state).setStep(step).setTotalSteps(total)
                    .setLoss(Double.isNaN(loss) ? 0 : loss).setCheckpointId(checkpointId).setError(error).build();
        }

        void finish(Job.State s) {
            state = s;
            save(this);
            done.countDown();
        }
    }

    private void save(JobState j) {
        try {
            jobStore.save(j.request, j.toProto());
        } catch (RuntimeException e) {
            LOG.warnf("cannot save job %s: %s", j.id, e.getMessage());
        }
    }

    /** A validated job: what TrainingRun needs. */
    record Plan(AdapterSpec spec, TrainOptions options, TrainingRun.Conditioning conditioning,
                List<TrainingExample> examples, Map<String, List<String>> descriptions) {}

    /**
     * Validates and queues a job. Status codes: NOT_FOUND for a dataset/descriptions path that does not exist,
     * INVALID_ARGUMENT for bad parameters or file contents, ALREADY_EXISTS for a job id in use.
     *
     * @throws io.grpc.StatusRuntimeException on any invalid request
     */
    public Job startJob(StartJobRequest req) {
        String id = req.getJobId().isBlank() ? "job-" + UUID.randomUUID().toString().substring(0, 8) : req.getJobId();
        if (!JOB_ID.matcher(id).matches() || id.startsWith(CheckpointStore.STREAM_PREFIX) || id.equals(STREAM_JOB_ID)) {
            throw invalid("job_id '" + id + "' must match " + JOB_ID.pattern() + " and not be or start with 'stream'");
        }
        if (jobs.containsKey(id)) {
            throw Status.ALREADY_EXISTS.withDescription("job " + id + " already exists (state "
                    + jobs.get(id).state + ")").asRuntimeException();
        }
        Plan plan = plan(req);
        JobState j = new JobState(id, plan.options().steps(), req.toBuilder().setJobId(id).build());
        if (jobs.putIfAbsent(id, j) != null) {
            throw Status.ALREADY_EXISTS.withDescription("job " + id + " already exists").asRuntimeException();
        }
        CheckpointStore.deleteQuietly(jobStore.partial(id)); // a leftover of a job whose file was lost
        save(j);
        LOG.infof("job %s queued: %s r=%d, %d steps, batch %d, lr %g, %d examples of %d tasks", id,
                plan.spec().method().id(), plan.spec().rank(), plan.options().steps(), plan.options().batchSize(),
                plan.options().lr(), plan.examples().size(), plan.descriptions().size());
        executor.submit(() -> runJob(j, plan));
        return j.toProto();
    }

    /** Plans (from its stored request) and queues a job on the training thread; a plan that fails fails the job. */
    private void enqueue(JobState j, String why) {
        Plan plan;
        try {
            plan = plan(j.request);
        } catch (RuntimeException e) {
            j.error = "cannot " + why + ": " + (e instanceof io.grpc.StatusRuntimeException s
                    ? s.getStatus().getDescription() : e.getMessage());
            j.finish(Job.State.FAILED);
            return;
        }
        synchronized (j) {
            j.cancelRequested = false;
            j.state = Job.State.QUEUED;
            if (j.done.getCount() == 0) j.done = new CountDownLatch(1);
        }
        save(j);
        LOG.infof("job %s %s", j.id, why);
        executor.submit(() -> runJob(j, plan));
    }

    /**
     * RESUME (zhyper.training.control): a FAILED or CANCELLED job is queued again and continues from its last
     * partial checkpoint ({@code zhyper.trainer.job-checkpoint-every}), with the same request. NOT_FOUND for an unknown
     * job, FAILED_PRECONDITION for one that is queued, running or succeeded.
     */
    public Job resumeJob(String id) {
        JobState j = job(id);
        synchronized (j) {
            if (j.state != Job.State.FAILED && j.state != Job.State.CANCELLED) {
                throw Status.FAILED_PRECONDITION.withDescription("job " + id + " is " + j.state
                        + "; only FAILED or CANCELLED jobs can be resumed").asRuntimeException();
            }
            j.error = "";
        }
        enqueue(j, "resumed");
        return j.toProto();
    }

    Plan plan(StartJobRequest req) {
        if (req.getRank() < 0) throw invalid("rank must be positive (0 = default), got " + req.getRank());
        if (req.getSteps() < 0) throw invalid("steps must be positive (0 = default), got " + req.getSteps());
        if (req.getBatch() < 0) throw invalid("batch must be positive (0 = default), got " + req.getBatch());
        if (req.getLr() < 0 || !Double.isFinite(req.getLr())) {
            throw invalid("lr must be a positive number (0 = default), got " + req.getLr());
        }
        AdapterSpec spec;
        try {
            spec = settings.spec(req.getMethod(), req.getRank(), req.getTargets(), req.getLayers());
        } catch (IllegalArgumentException e) {
            throw invalid("bad adapter parameters: " + e.getMessage());
        }
        TrainOptions o;
        try {
            o = options(req.getSteps() == 0 ? settings.steps() : req.getSteps(),
                    req.getBatch() == 0 ? settings.batch() : req.getBatch(),
                    req.getLr() == 0 ? settings.lr() : req.getLr(),
                    req.getSeed() == 0 ? settings.seed() : req.getSeed());
        } catch (IllegalArgumentException e) {
            throw invalid("bad training parameters: " + e.getMessage());
        }
        Path dataset = path("dataset_path", req.getDatasetPath());
        Path descriptionsFile = path("descriptions_path", req.getDescriptionsPath());
        ExampleLog.Snapshot streamed = exampleLog.snapshot();
        List<TrainingExample> examples;
        Map<String, List<String>> descriptions;
        try {
            examples = dataset == null ? streamed.examples() : Datasets.readExamples(dataset);
            descriptions = descriptionsFile == null ? streamed.descriptions()
                    : Datasets.readDescriptions(descriptionsFile);
        } catch (RuntimeException e) {
            throw invalid("cannot read the training data: " + e.getMessage());
        }
        if (examples.isEmpty()) {
            throw invalid("no examples: dataset_path is empty and nothing was consumed from " + Topics.TRAINING_EXAMPLES);
        }
        TreeSet<String> missing = new TreeSet<>();
        for (TrainingExample e : examples) {
            List<String> d = descriptions.get(e.task());
            if (d == null || d.isEmpty()) missing.add(e.task());
        }
        if (!missing.isEmpty()) {
            throw invalid("tasks without descriptions: " + missing);
        }
        return new Plan(spec, o, settings.conditioning(), examples, descriptions);
    }

    /**
     * A request's file under {@code zhyper.trainer.data-roots} (relative: against the first root), as its real path.
     * Outside the roots, or through a link leading out, the answer is one INVALID_ARGUMENT that tells nothing about
     * the path (no existence oracle); a missing file inside is NOT_FOUND.
     */
    private Path path(String field, String value) {
        if (value == null || value.isBlank()) return null;
        ConfinedRoots roots = settings.dataRoots();
        Path p;
        try {
            p = roots.first().resolve(value.trim());
        } catch (RuntimeException e) {
            throw invalid(field + " is not a path");
        }
        ConfinedRoots.Resolved r = roots.resolve(p);
        switch (r.where()) {
            case OUTSIDE -> throw invalid(field + " must name a file under " + roots.key());
            case MISSING_INSIDE -> throw Status.NOT_FOUND.withDescription(field + " " + value.trim()
                    + " does not exist under " + roots.key()).asRuntimeException();
            default -> { }
        }
        if (!Files.isRegularFile(r.real()) || !Files.isReadable(r.real())) {
            throw invalid(field + " " + value.trim() + " is not a readable file");
        }
        return r.real();
    }

    private static io.grpc.StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    TrainOptions options(int steps, int batch, double lr, long seed) {
        TrainOptions d = TrainOptions.defaults(steps);
        return new TrainOptions(steps, batch, lr, d.warmupFraction(), d.weightDecay(), d.gradClip(),
                d.labelSmoothing(), d.neftuneAlpha(), seed, settings.maxLength(), false,
                settings.conditioning() == TrainingRun.Conditioning.ONE_HOT);
    }

    /** The job's state; NOT_FOUND for an unknown id. */
    public Job getJob(String id) {
        return job(id).toProto();
    }

    private JobState job(String id) {
        JobState j = jobs.get(id);
        if (j == null) throw Status.NOT_FOUND.withDescription("no job " + id).asRuntimeException();
        return j;
    }

    /**
     * Cancels a queued job at once, a running one after its current step (waiting up to 5 s for it to stop, so the
     * answer is usually CANCELLED already); a finished job is returned unchanged. NOT_FOUND for an unknown id.
     */
    public Job cancelJob(String id) {
        JobState j = job(id);
        synchronized (j) {
            if (j.state == Job.State.QUEUED) {
                j.cancelRequested = true;
                j.finish(Job.State.CANCELLED);
                LOG.infof("job %s cancelled while queued", id);
                return j.toProto();
            }
            if (j.state != Job.State.RUNNING) return j.toProto();
            j.cancelRequested = true;
        }
        try {
            j.done.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return j.toProto();
    }

    private void runJob(JobState j, Plan plan) {
        synchronized (j) {
            if (j.cancelRequested || j.state != Job.State.QUEUED) return;
            j.state = Job.State.RUNNING;
        }
        save(j);
        runningJob = j.id;
        try {
            Path partial = jobStore.partial(j.id);
            CheckpointInfo info = train(j.id, j.id + "-step" + plan.options().steps(), partial, plan.spec(),
                    plan.options(), null, plan.conditioning(), plan.examples(), plan.descriptions(), "",
                    () -> j.cancelRequested, r -> {
                        j.step = r.step() + 1;
                        j.loss = r.loss();
                        if (j.step % settings.progressEvery() == 0) save(j);
                    }, false);
            j.checkpointId = info.getCheckpointId();
            j.finish(Job.State.SUCCEEDED);
            LOG.infof("job %s succeeded: checkpoint %s", j.id, info.getCheckpointId());
        } catch (CancelledException e) {
            j.finish(Job.State.CANCELLED);
            LOG.infof("job %s cancelled at step %d", j.id, j.step);
        } catch (Throwable e) {
            j.error = DeadLetterPublisher.reasonOf(e);
            j.finish(Job.State.FAILED);
            LOG.errorf(e, "job %s failed", j.id);
        } finally {
            runningJob = null;
        }
    }

    // ----------------------------------------------------------------------------------------------- streaming

    /**
     * Queues a streaming round: {@code steps-per-round} more steps on the snapshot, continuing from {@link #parent}
     * (the newest compatible streaming checkpoint that was not rejected, else the served one, else
     * {@code zhyper.trainer.initial-checkpoint}, else scratch). The future completes after the checkpoint is written,
     * gated AND announced.
     */
    public Future<CheckpointInfo> submitRound(ExampleLog.Snapshot data) {
        return executor.submit(() -> {
            runningJob = STREAM_JOB_ID;
            try {
                return round(data);
            } finally {
                runningJob = null;
            }
        });
    }

    private CheckpointInfo round(ExampleLog.Snapshot data) {
        AdapterSpec spec = settings.spec(null, 0, null, null);
        TrainingRun.Conditioning cond = settings.conditioning();
        List<String> labels = new ArrayList<>(new TreeSet<>(data.descriptions().keySet()));
        Optional<Parent> from = parent(cond, labels);
        int per = settings.streamStepsPerRound();
        try {
            return streamRound(spec, cond, data, from, per);
        } catch (IncompatibleCheckpointException e) {
            if (from.isEmpty()) throw e;
            LOG.warnf("%s has another adapter spec than zhyper.trainer.*: training from scratch (%s)",
                    from.get().dir(), e.getMessage());
            return streamRound(spec, cond, data, Optional.empty(), per);
        }
    }

    /** A checkpoint a round continues from. */
    record Parent(String id, Path dir, long step, boolean stream) {}

    /**
     * What the next round continues from: this trainer's newest streaming checkpoint that the gate did not reject
     * and that was not rolled back (rounds refine each other), else the served checkpoint ({@code promoted.json}, else
     * {@code zhyper.trainer.initial-checkpoint}) — so a fresh trainer refines the model users see — provided it is
     * compatible (same conditioning; for one-hot, the same tasks). Reads manifests only; the chosen checkpoint is
     * verified when training loads it.
     */
    Optional<Parent> parent(TrainingRun.Conditioning cond, List<String> labels) {
        List<CheckpointStore.Entry> all = store.entries();
        for (int i = all.size() - 1; i >= 0; i--) {
            CheckpointStore.Entry e = all.get(i);
            if (!e.stream()) continue;
            boolean withdrawn = state.of(e.id()).map(a -> a.status() == CheckpointStatus.REJECTED
                    || a.status() == CheckpointStatus.ROLLED_BACK).orElse(false);
            if (withdrawn || !compatible(e.dir(), e.manifest(), cond, labels)) continue;
            return Optional.of(new Parent(e.id(), e.dir(), e.step(), true));
        }
        return served().filter(s -> compatible(s.dir(), manifestOf(s.dir()), cond, labels))
                .map(s -> new Parent(s.id(), s.dir(), manifestOf(s.dir()).path("step").asLong(0),
                        s.dir().getFileName().toString().startsWith(CheckpointStore.STREAM_PREFIX)));
    }

    /**
     * The checkpoint served now: the one recorded in {@code promoted.json} (if it is still on disk), else the
     * configured {@code zhyper.trainer.initial-checkpoint} (what {@code zhyper up --checkpoint} serves), else none.
     */
    public Optional<EvaluationGate.Served> served() {
        Optional<String> promoted = store.promotedId();
        if (promoted.isPresent()) {
            Optional<CheckpointStore.Entry> e = store.entry(promoted.get());
            if (e.isPresent()) return Optional.of(new EvaluationGate.Served(e.get().id(), e.get().dir()));
        }
        return settings.initialCheckpoint().map(p -> new EvaluationGate.Served(
                manifestOf(p).path("checkpoint_id").asText(p.getFileName().toString()), p));
    }

    private static JsonNode manifestOf(Path dir) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve(Checkpoint.MANIFEST).toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + dir.resolve(Checkpoint.MANIFEST), e);
        }
    }

    private CheckpointInfo streamRound(AdapterSpec spec, TrainingRun.Conditioning cond, ExampleLog.Snapshot data,
                                       Optional<Parent> from, int per) {
        long done = from.map(Parent::step).orElse(0L);
        long total = done + per;
        if (total > Integer.MAX_VALUE) throw new IllegalStateException("streaming step count overflow");
        // ONE learning-rate curve for the whole stream: warm-up from the step streaming started at, then constant
        long origin = state.streamOrigin().orElse(-1);
        if (origin < 0 || origin > done) { // the first round, or the stream restarted from scratch
            origin = done;
            state.streamOrigin(origin);
        }
        LearningRate lr = new WarmupConstant(settings.lr(), origin, settings.streamWarmupSteps());
        TrainOptions o = options((int) total, settings.batch(), settings.lr(), settings.seed() + done);
        LOG.infof("streaming round: %d examples of %d tasks, steps %d..%d, lr %.3g%s", data.examples().size(),
                data.descriptions().size(), done, total, lr.at(done), from.map(p -> " (continuing " + p.dir().getFileName()
                        + ")").orElse(" (from scratch)"));
        String name = CheckpointStore.STREAM_PREFIX + System.currentTimeMillis() + "-step" + total;
        Path work = store.workDir(name);
        from.ifPresent(p -> store.copyInto(p.dir(), work));
        int[] stepsHere = {0};
        return train(STREAM_JOB_ID, name, work, spec, o, lr, cond, data.examples(), data.descriptions(),
                from.map(Parent::id).orElse(""), () -> false, r -> {
                    if (++stepsHere[0] == 2) FaultPoints.reach("training");
                }, true);
    }

    /**
     * Whether the checkpoint was trained with the same conditioning (and, for one-hot, the same task labels); reads
     * the manifest only.
     */
    static boolean compatible(Path checkpoint, JsonNode manifest, TrainingRun.Conditioning cond, List<String> labels) {
        JsonNode e = manifest.path("embedder");
        if (cond == TrainingRun.Conditioning.MINILM) {
            boolean ok = MiniLmEmbedder.ID.equals(e.path("id").asText());
            if (!ok) LOG.debugf("%s was not trained with MiniLM: not a parent", checkpoint);
            return ok;
        }
        List<String> had = new ArrayList<>();
        e.path("labels").forEach(n -> had.add(n.asText()));
        boolean ok = had.equals(labels);
        if (!ok) LOG.infof("%s has other tasks (%s, now %s): one-hot streaming does not continue it", checkpoint.getFileName(), had, labels);
        return ok;
    }

    // ------------------------------------------------------------------------------------------------ training

    /**
     * Trains in {@code work} (seeded with a copy of the parent, to continue it, or with a job's partial checkpoint),
     * renames the result to {@code <root>/<name>}, gates and announces it, applies retention and returns it.
     */
    CheckpointInfo train(String jobId, String name, Path work, AdapterSpec spec, TrainOptions o, LearningRate lr,
                         TrainingRun.Conditioning cond, List<TrainingExample> examples,
                         Map<String, List<String>> descriptions, String parentId, BooleanSupplier cancelled,
                         java.util.function.Consumer<Trainer.StepResult> onStep, boolean stream) {
        Progress progress = new Progress(jobId, o.steps());
        boolean published = false;
        try {
            TrainingRun.run(new TrainingRun.Config(settings.modelDir(), spec, o, cond, work,
                    stream ? 0 : settings.jobCheckpointEvery(), settings.modelOptions(), lr), examples, descriptions, r -> {
                        if (cancelled.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                            throw new CancelledException(jobId);
                        }
                        steps.increment();
                        onStep.accept(r);
                        progress.step(r);
                    });
            store.writeLineage(work, new CheckpointStore.Lineage(parentId, jobId, examples.size()));
            Path dir = store.publish(work, name);
            published = true;
            if (stream) FaultPoints.reach("after-rename");
            CheckpointInfo info = announceNew(dir);
            if (stream) FaultPoints.reach("after-event");
            return info;
        } finally {
            // gone after a successful rename; a failed or cancelled round leaves nothing (a job keeps its partial)
            if (stream || published) store.discard(work);
        }
    }

    /**
     * Gates (when {@code zhyper.gate.file} is set) and announces a checkpoint just written: CANDIDATE at
     * {@code zhyper.gate.candidate-share} when it passes, REJECTED (never served) when it does not, UNGATED without a
     * gate. Then applies retention.
     */
    CheckpointInfo announceNew(Path dir) {
        CheckpointInfo info = store.info(dir); // verifies this one checkpoint
        CheckpointStore.Lineage l = store.lineage(dir);
        CheckpointEvent.Builder ev = EventPublisher.eventFor(info, l.jobId().isBlank() ? jobOf(info) : l.jobId())
                .setParentCheckpointId(l.parentCheckpointId());
        if (l.examples() > 0) ev.putMetrics("examples", l.examples());
        if (gate.enabled()) {
            GateResult g = gate.judge(info.getCheckpointId(), dir, served());
            ev.setGate(g).putMetrics("gate_accuracy", g.getAccuracy());
            if (!g.getServedCheckpointId().isEmpty()) {
                ev.putMetrics("gate_served_accuracy", g.getServedAccuracy());
            }
            if (g.getPassed()) {
                ev.setStatus(CheckpointStatus.CANDIDATE).setTrafficShare(gate.candidateShare());
            } else {
                ev.setStatus(CheckpointStatus.REJECTED);
                rejected.increment();
            }
        } else {
            ev.setStatus(CheckpointStatus.UNGATED);
        }
        events.announce(ev);
        checkpointsWritten.increment();
        applyRetention();
        return info.toBuilder().putAllMetrics(ev.getMetricsMap()).build();
    }

    /**
     * Deletes old checkpoints: all but the newest {@code retention.keep-last}; kept besides them: every promoted one,
     * the served one, and what zhyper.checkpoints says is live ({@link Ledger}: the control, the canary candidate, the
     * control before — a rollback's target), whoever announced it.
     */
    void applyRetention() {
        int keepLast = settings.retentionKeepLast();
        if (keepLast <= 0) return;
        java.util.Set<String> keep = new java.util.HashSet<>();
        store.promotedId().ifPresent(keep::add);
        served().ifPresent(s -> keep.add(s.id()));
        ServingState live = ledger.state();
        for (ServingState.Ref r : new ServingState.Ref[] {live.control(), live.candidate(), live.previousControl()}) {
            if (r != null) keep.add(r.checkpointId());
        }
        for (CheckpointStore.Entry e : store.entries()) {
            state.of(e.id()).filter(TrainerState.Announced::everPromoted).ifPresent(a -> keep.add(e.id()));
        }
        List<String> deleted = store.prune(keepLast, keep);
        if (!deleted.isEmpty()) {
            state.forget(deleted);
            LOG.infof("retention (keep the last %d and every promoted): deleted %s", keepLast, deleted);
        }
    }

    /**
     * At start, before any training: removes what interrupted rounds left in {@code .work/}, and announces checkpoints
     * that were written but never announced (a crash between the rename and the event): the newest of them is gated
     * and announced as a fresh one would be; older ones were superseded and are recorded UNGATED without an event.
     */
    void recover() {
        int cleaned = store.cleanWork();
        if (cleaned > 0) LOG.infof("removed %d leftover(s) of interrupted training from %s/.work", cleaned, store.root());
        List<CheckpointStore.Entry> unannounced = store.entries().stream()
                .filter(e -> state.of(e.id()).isEmpty()).toList();
        for (int i = 0; i < unannounced.size(); i++) {
            CheckpointStore.Entry e = unannounced.get(i);
            if (i < unannounced.size() - 1) {
                state.announced(e.id(), CheckpointStatus.UNGATED, state.lastSequence());
                continue;
            }
            try {
                LOG.infof("checkpoint %s was written but not announced (interrupted): announcing it now", e.name());
                announceNew(e.dir());
            } catch (RuntimeException ex) {
                LOG.errorf(ex, "cannot announce %s at start; it stays unannounced (retried at the next start)", e.dir());
            }
        }
    }

    /** Publishes TrainingProgressEvents every {@code progress-every} steps and at the last step. */
    private final class Progress {
        final String jobId;
        final long total;
        final long t0 = System.nanoTime();
        long tokens;
        long stepsHere;

        Progress(String jobId, long total) {
            this.jobId = jobId;
            this.total = total;
        }

        void step(Trainer.StepResult r) {
            tokens += r.tokens();
            stepsHere++;
            long done = r.step() + 1;
            if (done % settings.progressEvery() != 0 && done != total) return;
            double secs = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
            events.publishProgress(TrainingProgressEvent.newBuilder()
                    .setSchemaVersion(Topics.SCHEMA_VERSION)
                    .setJobId(jobId)
                    .setStep(done)
                    .setTotalSteps(total)
                    .setLoss(r.loss())
                    .setLr(r.lr())
                    .setTokensPerSecond(tokens / secs)
                    .setEtaSeconds(Math.max(0, total - done) * secs / stepsHere)
                    .build());
        }
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
