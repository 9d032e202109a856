package dev.zhyper.trainer;

import dev.zhyper.service.common.ServingState;
import org.jboss.logging.Logger;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Deletes old checkpoints ({@code zhyper.trainer.retention.keep-last}): all but the newest N; kept besides them:
 * every promoted one, the served one, and what zhyper.checkpoints says is live ({@link Ledger}: the control, the canary
 * candidate, the control before — a rollback's target), whoever announced it.
 */
final class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class);

    private final int keepLast;
    private final CheckpointStore store;
    private final TrainerState state;
    private final Ledger ledger;
    private final RoundParents parents;

    Retention(int keepLast, CheckpointStore store, TrainerState state, Ledger ledger, RoundParents parents) {
        this.keepLast = keepLast;
        this.store = store;
        this.state = state;
        this.ledger = ledger;
        this.parents = parents;
    }

    /** Applies the policy once (no-op when keep-last is 0). */
    void apply() {
        if (keepLast <= 0) return;
        Set<String> keep = new HashSet<>();
        store.promotedId().ifPresent(keep::add);
        parents.served().ifPresent(s -> keep.add(s.id()));
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
}
