package dev.zhyper.trainer;

import dev.zhyper.proto.v1.CanaryStatus;
import dev.zhyper.proto.v1.CheckpointInfo;
import dev.zhyper.proto.v1.GetCanaryRequest;
import dev.zhyper.proto.v1.Job;
import dev.zhyper.proto.v1.JobRef;
import dev.zhyper.proto.v1.ListCheckpointsRequest;
import dev.zhyper.proto.v1.ListCheckpointsResponse;
import dev.zhyper.proto.v1.PromoteRequest;
import dev.zhyper.proto.v1.RollbackRequest;
import dev.zhyper.proto.v1.StartJobRequest;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

import java.util.function.Supplier;

/**
 * gRPC {@code zhyper.v1.Trainer}: a thin shell over {@link TrainingService} (on worker threads: StartJob reads the
 * dataset files to validate them). Status codes: NOT_FOUND (missing files, unknown job or checkpoint),
 * INVALID_ARGUMENT (bad parameters or file contents), ALREADY_EXISTS (job id in use), INTERNAL otherwise.
 */
@GrpcService
public class TrainerGrpcService implements dev.zhyper.proto.v1.Trainer {

    @Inject
    TrainingService training;

    @Inject
    dev.zhyper.trainer.canary.Promotions promotions;

    @Inject
    dev.zhyper.trainer.canary.CanaryJudge canary;

    @Override
    @Blocking
    public Uni<Job> startJob(StartJobRequest request) {
        return call(() -> training.startJob(request));
    }

    @Override
    @Blocking
    public Uni<Job> getJob(JobRef request) {
        return call(() -> training.getJob(request.getJobId()));
    }

    @Override
    @Blocking
    public Uni<Job> cancelJob(JobRef request) {
        return call(() -> training.cancelJob(request.getJobId()));
    }

    @Override
    @Blocking
    public Uni<ListCheckpointsResponse> listCheckpoints(ListCheckpointsRequest request) {
        return call(() -> {
            if (request.getLimit() < 0) {
                throw Status.INVALID_ARGUMENT.withDescription("limit must be >= 0").asRuntimeException();
            }
            return ListCheckpointsResponse.newBuilder()
                    .addAllCheckpoints(training.store().infos(request.getLimit(), request.getPromotedOnly())).build();
        });
    }

    @Override
    @Blocking
    public Uni<CheckpointInfo> promoteCheckpoint(PromoteRequest request) {
        return call(() -> promotions.promote(request.getCheckpointId(), "manual: Trainer.PromoteCheckpoint"));
    }

    @Override
    @Blocking
    public Uni<CheckpointInfo> rollbackCheckpoint(RollbackRequest request) {
        return call(() -> promotions.rollback(request.getCheckpointId(), request.getRestoreCheckpointId(),
                request.getReason().isBlank() ? "manual: Trainer.RollbackCheckpoint" : request.getReason()));
    }

    @Override
    @Blocking
    public Uni<CanaryStatus> getCanary(GetCanaryRequest request) {
        return call(() -> canary.status());
    }

    private static <T> Uni<T> call(Supplier<T> body) {
        try {
            return Uni.createFrom().item(body.get());
        } catch (io.grpc.StatusRuntimeException e) {
            return Uni.createFrom().failure(e);
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(Status.INTERNAL.withDescription(e.toString()).withCause(e)
                    .asRuntimeException());
        }
    }
}
