package dev.zhyper.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.data.Datasets;
import dev.zhyper.core.data.TrainingExample;
import dev.zhyper.core.embed.MiniLmEmbedder;
import dev.zhyper.core.train.Checkpoint;
import dev.zhyper.core.train.TrainOptions;
import dev.zhyper.core.train.Trainer;
import dev.zhyper.core.train.TrainingRun;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.CheckpointInfo;
import dev.zhyper.proto.v1.Job;
import dev.zhyper.proto.v1.StartJobRequest;
import dev.zhyper.proto.v1.TrainingProgressEvent;
import dev.zhyper.service.common.DeadLetterPublisher;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
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

    CheckpointStore store;
    private ExecutorService executor;
    private final Map<String, JobState> jobs = new ConcurrentHashMap<>();
    private volatile String runningJob;
    Counter steps;
    Counter checkpointsWritten;

    /** Thrown by the progress callback of a cancelled job. */
    static final class CancelledException extends RuntimeException {
        CancelledException(String jobId) {
            super("job " + jobId + " was cancelled");
        }
    }

    @PostConstruct
    void init() {
        settings.validate();
        store = new CheckpointStore(settings.checkpointsRoot());
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "zhyper-trainer-train");
            t.setDaemon(true);
            return t;
        });
        steps = Counter.builder("zhyper.trainer.steps").description("optimiser steps completed (jobs and streaming)")
                .register(registry);
        checkpointsWritten = Counter.builder("zhyper.trainer.checkpoints.written")
                .description("checkpoints written and announced").register(registry);
        Gauge.builder("zhyper.trainer.jobs.queued", jobs,
                js -> js.values().stream().filter(j -> j.state == Job.State.QUEUED).count())
                .description("jobs waiting for the training thread").register(registry);
        Gauge.builder("zhyper.trainer.jobs.running", this, s -> s.runningJob == null ? 0 : 1)
                .description("1 while a job or a streaming round trains").register(registry);
    }

    @PreDestroy
    void shutdown() {
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
    static final class JobState {
        final String id;
        volatile Job.State state = Job.State.QUEUED;
        volatile long step;
        final long total;
        volatile double loss;
        volatile String checkpointId = "";
        volatile String error = "";
        volatile boolean cancelRequested;
        final CountDownLatch done = new CountDownLatch(1);

        JobState(String id, long total) {
            this.id = id;
            this.total = total;
        }

        Job toProto() {
            return Job.newBuilder().setJobId(id).setState(state).setStep(step).setTotalSteps(total)
                    .setLoss(Double.isNaN(loss) ? 0 : loss).setCheckpointId(checkpointId).setError(error).build();
        }

        void finish(Job.State s) {
            state = s;
            done.countDown();
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
        JobState j = new JobState(id, plan.options().steps());
        if (jobs.putIfAbsent(id, j) != null) {
            throw Status.ALREADY_EXISTS.withDescription("job " + id + " already exists").asRuntimeException();
        }
        LOG.infof("job %s queued: %s r=%d, %d steps, batch %d, lr %g, %d examples of %d tasks", id,
                plan.spec().method().id(), plan.spec().rank(), plan.options().steps(), plan.options().batchSize(),
                plan.options().lr(), plan.examples().size(), plan.descriptions().size());
        executor.submit(() -> runJob(j, plan));
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

    private static Path path(String field, String value) {
        if (value == null || value.isBlank()) return null;
        Path p = Path.of(value);
        if (!Files.exists(p)) {
            throw Status.NOT_FOUND.withDescription(field + " " + value + " does not exist").asRuntimeException();
        }
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw invalid(field + " " + value + " is not a readable file");
        }
        return p;
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
        runningJob = j.id;
        try {
            CheckpointInfo info = train(j.id, j.id + "-step" + plan.options().steps(), plan.spec(), plan.options(),
                    plan.conditioning(), plan.examples(), plan.descriptions(), Optional.empty(),
                    () -> j.cancelRequested, r -> {
                        j.step = r.step() + 1;
                        j.loss = r.loss();
                    });
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
     * Queues a streaming round: {@code steps-per-round} more steps on the snapshot, continuing from the newest
     * streaming checkpoint when it is compatible (same adapter spec and conditioning; for one-hot, the same task set),
     * else from scratch. The future completes after the checkpoint is written AND announced.
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
        Optional<Path> from = store.latestStream().filter(p -> compatible(p, cond, labels));
        long done = from.map(TrainingService::stepOf).orElse(0L);
        int per = settings.streamStepsPerRound();
        try {
            return streamRound(spec, cond, data, from, done, per);
        } catch (IllegalArgumentException e) {
            if (from.isPresent() && String.valueOf(e.getMessage()).contains("another adapter spec")) {
                LOG.warnf("streaming checkpoint %s has another adapter spec: training from scratch", from.get());
                return streamRound(spec, cond, data, Optional.empty(), 0, per);
            }
            throw e;
        }
    }

    private CheckpointInfo streamRound(AdapterSpec spec, TrainingRun.Conditioning cond, ExampleLog.Snapshot data,
                                       Optional<Path> from, long done, int per) {
        long total = done + per;
        if (total > Integer.MAX_VALUE) throw new IllegalStateException("streaming step count overflow");
        TrainOptions o = options((int) total, settings.batch(), settings.lr(), settings.seed() + done);
        LOG.infof("streaming round: %d examples of %d tasks, steps %d..%d%s", data.examples().size(),
                data.descriptions().size(), done, total, from.map(p -> " (continuing " + p.getFileName() + ")")
                        .orElse(" (from scratch)"));
        String name = CheckpointStore.STREAM_PREFIX + System.currentTimeMillis() + "-step" + total;
        return train(STREAM_JOB_ID, name, spec, o, cond, data.examples(), data.descriptions(), from, () -> false,
                r -> {});
    }

    private static long stepOf(Path checkpoint) {
        try (Checkpoint c = Checkpoint.open(checkpoint)) {
            return c.manifest().path("step").asLong(0);
        }
    }

    /** Whether the checkpoint was trained with the same conditioning (and, for one-hot, the same task labels). */
    static boolean compatible(Path checkpoint, TrainingRun.Conditioning cond, List<String> labels) {
        try (Checkpoint c = Checkpoint.open(checkpoint)) {
            JsonNode e = c.manifest().path("embedder");
            if (cond == TrainingRun.Conditioning.MINILM) {
                boolean ok = MiniLmEmbedder.ID.equals(e.path("id").asText());
                if (!ok) LOG.infof("%s was not trained with MiniLM: streaming starts from scratch", checkpoint);
                return ok;
            }
            List<String> had = new ArrayList<>();
            e.path("labels").forEach(n -> had.add(n.asText()));
            boolean ok = had.equals(labels);
            if (!ok) LOG.infof("the task set changed (%s -> %s): one-hot streaming starts from scratch", had, labels);
            return ok;
        } catch (RuntimeException ex) {
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------------ training

    /**
     * Trains in {@code <root>/.work/<name>} (seeded with a copy of {@code from}, to continue it), renames the result
     * to {@code <root>/<name>}, publishes the CheckpointEvent and returns the checkpoint.
     */
    CheckpointInfo train(String jobId, String name, AdapterSpec spec, TrainOptions o,
                         TrainingRun.Conditioning cond, List<TrainingExample> examples,
                         Map<String, List<String>> descriptions, Optional<Path> from, BooleanSupplier cancelled,
                         java.util.function.Consumer<Trainer.StepResult> onStep) {
        Path work = store.workDir(name);
        from.ifPresent(p -> store.copyInto(p, work));
        Progress progress = new Progress(jobId, o.steps());
        try {
            TrainingRun.run(new TrainingRun.Config(settings.modelDir(), spec, o, cond, work, 0,
                    settings.modelOptions()), examples, descriptions, r -> {
                        if (cancelled.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                            throw new CancelledException(jobId);
                        }
                        steps.increment();
                        onStep.accept(r);
                        progress.step(r);
                    });
            Path dir = store.publish(work, name);
            CheckpointInfo info = store.info(dir);
            events.publishCheckpoint(EventPublisher.checkpointEvent(info, jobId, false));
            checkpointsWritten.increment();
            return info;
        } finally {
            store.discard(work); // gone after a successful rename; removes what a failed or cancelled run left
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

    /** Publishes a promotion: records it in promoted.json and announces it. NOT_FOUND for an unknown id. */
    public CheckpointInfo promote(String checkpointId) {
        CheckpointInfo info = store.find(checkpointId).orElseThrow(() -> Status.NOT_FOUND
                .withDescription("no checkpoint " + checkpointId + " under " + store.root()).asRuntimeException());
        store.promote(checkpointId);
        CheckpointInfo promoted = info.toBuilder().setPromoted(true).build();
        String jobId = jobOf(info);
        events.publishCheckpoint(EventPublisher.checkpointEvent(promoted, jobId, true));
        return promoted;
    }

    /** The job that wrote a checkpoint, from its directory name ({@code <job>-step<N>} or {@code stream-...}). */
    static String jobOf(CheckpointInfo info) {
        String name = Path.of(info.getUri()).getFileName().toString();
        if (name.startsWith(CheckpointStore.STREAM_PREFIX)) return STREAM_JOB_ID;
        int i = name.lastIndexOf("-step");
        return i > 0 ? name.substring(0, i) : "";
    }
}
