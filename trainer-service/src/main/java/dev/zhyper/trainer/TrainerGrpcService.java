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
import dev.zhyper.service.common.GrpcErrors;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;


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
        return GrpcErrors.uni(() -> training.startJob(request));
    }

    @Override
    @Blocking
    public Uni<Job> getJob(JobRef request) {
        return GrpcErrors.uni(() -> training.getJob(request.getJobId()));
    }

    @Override
    @Blocking
    public Uni<Job> cancelJob(JobRef request) {
        return GrpcErrors.uni(() -> training.cancelJob(request.getJobId()));
    }

    @Override
    @Blocking
    public Uni<ListCheckpointsResponse> listCheckpoints(ListCheckpointsRequest request) {
        return GrpcErrors.uni(() -> {
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
        return GrpcErrors.uni(() -> promotions.promote(request.getCheckpointId(), "manual: Trainer.PromoteCheckpoint"));
    }

    @Override
    @Blocking
    public Uni<CheckpointInfo> rollbackCheckpoint(RollbackRequest request) {
        return GrpcErrors.uni(() -> promotions.rollback(request.getCheckpointId(), request.getRestoreCheckpointId(),
                request.getReason().isBlank() ? "manual: Trainer.RollbackCheckpoint" : request.getReason()));
    }

    @Override
    @Blocking
    public Uni<CanaryStatus> getCanary(GetCanaryRequest request) {
        return GrpcErrors.uni(() -> canary.status());
    }
}
