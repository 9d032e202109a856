package dev.zhyper.trainer.canary;

import dev.zhyper.trainer.Ledger;
import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.proto.v1.CheckpointInfo;
import dev.zhyper.proto.v1.CheckpointStatus;
import dev.zhyper.service.common.ServingState;
import dev.zhyper.trainer.CheckpointStore;
import dev.zhyper.trainer.EventPublisher;
import dev.zhyper.trainer.TrainingService;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;

/**
 * Promotion and rollback, by hand (Trainer.PromoteCheckpoint / RollbackCheckpoint) or by the canary judge: records
 * the promoted checkpoint in the store's {@code promoted.json} (when the store has it) and announces a PROMOTED or
 * ROLLED_BACK CheckpointEvent with the next sequence (Ledger). A checkpoint the gate REJECTED is never promoted.
 */
@ApplicationScoped
public class Promotions {

    @Inject
    Ledger ledger;

    @Inject
    TrainingService training;

    /** Promotes {@code id} (a checkpoint of the store, or the current candidate). */
    public CheckpointInfo promote(String id, String reason) {
        if (id == null || id.isBlank()) throw Status.INVALID_ARGUMENT.withDescription("checkpoint_id is required").asRuntimeException();
        ServingState s = ledger.state();
        if (s.rejected().contains(id)) {
            throw Status.FAILED_PRECONDITION.withDescription("checkpoint " + id + " was REJECTED by the evaluation gate"
                    + " and is never served").asRuntimeException();
        }
        Optional<CheckpointInfo> stored = training.store().find(id); // (verifies the store's checkpoints once)
        CheckpointInfo info = stored.or(() -> announced(id, s)).orElseThrow(() -> Status.NOT_FOUND.withDescription(
                "no checkpoint " + id + " under " + training.store().root() + " and it is not the canary candidate")
                .asRuntimeException());
        if (stored.isPresent()) training.store().promote(id);
        CheckpointInfo promoted = info.toBuilder().setPromoted(true).build();
        ledger.announce(EventPublisher.checkpointEvent(promoted, jobOf(promoted), true).toBuilder()
                .setStatus(CheckpointStatus.PROMOTED).setReason(reason == null ? "" : reason));
        return promoted;
    }

    /**
     * Withdraws the candidate ({@code id} empty or the candidate), or reverts the promoted checkpoint {@code id} to
     * {@code restoreId} (empty = the one promoted before it). Returns the checkpoint served as control afterwards.
     */
    public CheckpointInfo rollback(String id, String restoreId, String reason) {
        ServingState s = ledger.state();
        String target = id == null || id.isBlank() ? s.candidateId() : id;
        if (target == null) {
            throw Status.FAILED_PRECONDITION.withDescription("there is no candidate to roll back").asRuntimeException();
        }
        String why = reason == null ? "" : reason;
        if (target.equals(s.candidateId())) {
            ServingState.Ref after = s.control() != null ? s.control() : s.candidate();
            CheckpointInfo info = training.store().find(after.checkpointId()).orElseGet(() -> info(after));
            ledger.announce(EventPublisher.checkpointEvent(info, jobOf(info), s.control() != null).toBuilder()
                    .setStatus(CheckpointStatus.ROLLED_BACK).setRolledBackCheckpointId(target).setReason(why));
            return info;
        }
        if (!target.equals(s.controlId())) {
            throw Status.FAILED_PRECONDITION.withDescription("checkpoint " + target + " is neither the candidate ("
                    + s.candidateId() + ") nor the promoted one (" + s.controlId() + ")").asRuntimeException();
        }
        String restore = restoreId == null || restoreId.isBlank()
                ? (s.previousControl() == null ? null : s.previousControl().checkpointId()) : restoreId;
        if (restore == null) {
            throw Status.FAILED_PRECONDITION.withDescription("no earlier promoted checkpoint to restore; name one in"
                    + " restore_checkpoint_id").asRuntimeException();
        }
        if (s.rejected().contains(restore)) {
            throw Status.FAILED_PRECONDITION.withDescription("checkpoint " + restore + " was REJECTED by the gate")
                    .asRuntimeException();
        }
        Optional<CheckpointInfo> stored = training.store().find(restore);
        CheckpointInfo info = stored.or(() -> announced(restore, s)).orElseThrow(() -> Status.NOT_FOUND
                .withDescription("no checkpoint " + restore + " to restore").asRuntimeException());
        if (stored.isPresent()) training.store().promote(restore);
        CheckpointInfo promoted = info.toBuilder().setPromoted(true).build();
        ledger.announce(EventPublisher.checkpointEvent(promoted, jobOf(promoted), true).toBuilder()
                .setStatus(CheckpointStatus.ROLLED_BACK).setRolledBackCheckpointId(target).setReason(why));
        return promoted;
    }

    /** A checkpoint known from the announcements (candidate, control, previous control), not from the store. */
    private static Optional<CheckpointInfo> announced(String id, ServingState s) {
        for (ServingState.Ref r : new ServingState.Ref[] {s.candidate(), s.control(), s.previousControl()}) {
            if (r != null && r.is(id)) return Optional.of(info(r));
        }
        return Optional.empty();
    }

    private static CheckpointInfo info(ServingState.Ref r) {
        return CheckpointInfo.newBuilder().setCheckpointId(r.checkpointId()).setUri(r.uri()).setSha256(r.sha256())
                .setStep(r.step()).build();
    }

    /** The job that wrote a checkpoint, from its directory name ({@code <job>-step<N>} or {@code stream-...}). */
    static String jobOf(CheckpointInfo info) {
        return TrainingService.jobOf(info);
    }

}
