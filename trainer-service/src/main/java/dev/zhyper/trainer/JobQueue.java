package dev.zhyper.trainer;

import dev.zhyper.proto.v1.CheckpointInfo;
import dev.zhyper.proto.v1.Job;
import dev.zhyper.proto.v1.StartJobRequest;
import dev.zhyper.service.common.DeadLetterPublisher;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Training jobs: validates and queues them on the {@link TrainingThread}, tracks their state (persisted by
 * {@link JobStore}, so they survive a restart), cancels them cooperatively (after the current step) and resumes failed
 * or cancelled ones from their last partial checkpoint.
 */
final class JobQueue {

    private static final Logger LOG = Logger.getLogger(JobQueue.class);
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final TrainerSettings settings;
    private final JobStore jobStore;
    private final JobPlanner planner;
    private final TrainingRunner runner;
    private final TrainingThread thread;
    private final Map<String, JobState> jobs = new ConcurrentHashMap<>();

    JobQueue(TrainerSettings settings, JobStore jobStore, JobPlanner planner, TrainingRunner runner,
             TrainingThread thread) {
        this.settings = settings;
        this.jobStore = jobStore;
        this.planner = planner;
        this.runner = runner;
        this.thread = thread;
    }

    /** The gauge of queued jobs. */
    Meter queuedGauge(MeterRegistry registry) {
        return Gauge.builder("zhyper.trainer.jobs.queued", jobs,
                        js -> js.values().stream().filter(j -> j.state == Job.State.QUEUED).count())
                .description("jobs waiting for the training thread").register(registry);
    }

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

    /**
     * Jobs of earlier runs: finished ones are shown as they ended; QUEUED ones are queued again; a job that was
     * RUNNING when the process died becomes FAILED ("interrupted"), to be continued with RESUME.
     */
    void load() {
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

    /** Asks every job to stop (a running one stops after its current step). */
    void cancelAll() {
        jobs.values().forEach(j -> j.cancelRequested = true);
    }

    private void save(JobState j) {
        try {
            jobStore.save(j.request, j.toProto());
        } catch (RuntimeException e) {
            LOG.warnf("cannot save job %s: %s", j.id, e.getMessage());
        }
    }

    /**
     * Validates and queues a job. Status codes: NOT_FOUND for a dataset/descriptions path that does not exist,
     * INVALID_ARGUMENT for bad parameters or file contents, ALREADY_EXISTS for a job id in use.
     *
     * @throws StatusRuntimeException on any invalid request
     */
    Job start(StartJobRequest req) {
        String id = req.getJobId().isBlank() ? "job-" + UUID.randomUUID().toString().substring(0, 8) : req.getJobId();
        if (!JOB_ID.matcher(id).matches() || id.startsWith(CheckpointStore.STREAM_PREFIX)
                || id.equals(TrainingService.STREAM_JOB_ID)) {
            throw JobPlanner.invalid("job_id '" + id + "' must match " + JOB_ID.pattern()
                    + " and not be or start with 'stream'");
        }
        if (jobs.containsKey(id)) {
            throw Status.ALREADY_EXISTS.withDescription("job " + id + " already exists (state "
                    + jobs.get(id).state + ")").asRuntimeException();
        }
        JobPlanner.Plan plan = planner.plan(req);
        JobState j = new JobState(id, plan.options().steps(), req.toBuilder().setJobId(id).build());
        if (jobs.putIfAbsent(id, j) != null) {
            throw Status.ALREADY_EXISTS.withDescription("job " + id + " already exists").asRuntimeException();
        }
        CheckpointStore.deleteQuietly(jobStore.partial(id)); // a leftover of a job whose file was lost
        save(j);
        LOG.infof("job %s queued: %s r=%d, %d steps, batch %d, lr %g, %d examples of %d tasks", id,
                plan.spec().method().id(), plan.spec().rank(), plan.options().steps(), plan.options().batchSize(),
                plan.options().lr(), plan.examples().size(), plan.descriptions().size());
        submit(j, plan);
        return j.toProto();
    }

    /** Plans (from its stored request) and queues a job on the training thread; a plan that fails fails the job. */
    private void enqueue(JobState j, String why) {
        JobPlanner.Plan plan;
        try {
            plan = planner.plan(j.request);
        } catch (RuntimeException e) {
            j.error = "cannot " + why + ": " + (e instanceof StatusRuntimeException s
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
        submit(j, plan);
    }

    private void submit(JobState j, JobPlanner.Plan plan) {
        thread.submit(j.id, () -> {
            run(j, plan);
            return null;
        });
    }

    /**
     * RESUME (zhyper.training.control): a FAILED or CANCELLED job is queued again and continues from its last
     * partial checkpoint ({@code zhyper.trainer.job-checkpoint-every}), with the same request. NOT_FOUND for an unknown
     * job, FAILED_PRECONDITION for one that is queued, running or succeeded.
     */
    Job resume(String id) {
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

    /** The job's state; NOT_FOUND for an unknown id. */
    Job get(String id) {
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
    Job cancel(String id) {
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

    /** On the training thread: trains the job into its partial directory, then publishes its checkpoint. */
    private void run(JobState j, JobPlanner.Plan plan) {
        synchronized (j) {
            if (j.cancelRequested || j.state != Job.State.QUEUED) return;
            j.state = Job.State.RUNNING;
        }
        save(j);
        try {
            Path partial = jobStore.partial(j.id);
            CheckpointInfo info = runner.train(new TrainingRunner.Run(j.id, j.id + "-step" + plan.options().steps(),
                            partial, plan.spec(), plan.options(), null, plan.conditioning(), plan.examples(),
                            plan.descriptions(), "", false),
                    () -> j.cancelRequested, r -> {
                        j.step = r.step() + 1;
                        j.loss = r.loss();
                        if (j.step % settings.progressEvery() == 0) save(j);
                    });
            j.checkpointId = info.getCheckpointId();
            j.finish(Job.State.SUCCEEDED);
            LOG.infof("job %s succeeded: checkpoint %s", j.id, info.getCheckpointId());
        } catch (TrainingRunner.CancelledException e) {
            j.finish(Job.State.CANCELLED);
            LOG.infof("job %s cancelled at step %d", j.id, j.step);
        } catch (Throwable e) {
            j.error = DeadLetterPublisher.reasonOf(e);
            j.finish(Job.State.FAILED);
            LOG.errorf(e, "job %s failed", j.id);
        }
    }
}
