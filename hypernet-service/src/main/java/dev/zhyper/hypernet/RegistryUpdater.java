package dev.zhyper.hypernet;

import dev.zhyper.proto.v1.CheckpointEvent;
import dev.zhyper.service.common.CheckpointPaths;
import dev.zhyper.service.common.CheckpointUpdater;
import dev.zhyper.service.common.DeadLetterPublisher;
import dev.zhyper.service.common.ServingState;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Applies the announcements of {@code zhyper.checkpoints} to the {@link CheckpointRegistry} (plain Java, driven by a
 * {@link dev.zhyper.service.common.CheckpointFollower}), by the rules of {@link ServingState}: the promoted control
 * is the current checkpoint (requests without checkpoint_id), the CANDIDATE is loaded and pinned beside it (the
 * generator's candidate arm asks for it by id); REJECTED / UNGATED are never loaded; an older sequence than the last
 * applied is ignored and counted ({@code zhyper_hypernet_checkpoints_stale_total}). At start the topic's history is
 * folded (in sequence order) and its control + candidate loaded; {@code zhyper.checkpoint.dir} serves when it holds
 * no promotion. Unsequenced events of older producers switch the current checkpoint as before
 * ({@code zhyper.hypernet.promoted-only}; at start only promoted ones count). Every checkpoint is verified before it
 * is used; refusals go to {@code zhyper.dlq.zhyper.checkpoints} with the reason and the previous state keeps serving.
 * An event's uri must name a directory under {@code zhyper.checkpoints.roots} ({@link CheckpointPaths}); anything
 * else is refused with a reason that names no path. Decoding, folding, refusing: {@link CheckpointUpdater}; here
 * only what serving a checkpoint means for the registry.
 */
public final class RegistryUpdater extends CheckpointUpdater {

    private static final Logger LOG = Logger.getLogger(RegistryUpdater.class);
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private final CheckpointRegistry registry;
    private final boolean promotedOnly;
    private final MeterRegistry meters;

    public RegistryUpdater(CheckpointRegistry registry, boolean promotedOnly, DeadLetterPublisher deadLetters,
                           MeterRegistry meters, CheckpointPaths paths) {
        super("hypernet", deadLetters, meters, paths);
        this.registry = registry;
        this.promotedOnly = promotedOnly;
        this.meters = meters;
    }

    @Override
    protected String serving() {
        return registry.current() == null ? "nothing" : registry.current().id();
    }

    @Override
    protected void checkSha256(String sha256) {
        if (!SHA256_HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("CheckpointEvent.sha256 is not 64 hex digits: '" + sha256 + "'");
        }
    }

    @Override
    protected void serveControl(ServingState.Ref control) {
        install(control, true);
    }

    @Override
    protected void serveCandidate(ServingState.Ref candidate, double share) {
        install(candidate, false);
        registry.setCandidate(candidate.checkpointId());
    }

    @Override
    protected boolean legacyFollowsUnpromoted() {
        return !promotedOnly;
    }

    @Override
    protected ServingState serve(ServingState prev, ServingState.Transition t, CheckpointEvent e) {
        String previous = registry.current() == null ? null : registry.current().id();
        if (!Objects.equals(prev.controlId(), t.state().controlId()) || t.kind() == ServingState.Kind.LEGACY) {
            install(t.state().control(), true);
        }
        if (!Objects.equals(registry.candidateId(), t.state().candidateId())) {
            if (t.state().candidate() != null) install(t.state().candidate(), false);
            registry.setCandidate(t.state().candidateId());
        }
        meters.counter("zhyper.hypernet.checkpoints.switched").increment();
        LOG.infof("%s %s: %s (current %s, was %s; candidate %s)", e.getStatus(), e.getCheckpointId(),
                t.reason(), registry.current() == null ? null : registry.current().id(), previous,
                registry.candidateId());
        return t.state();
    }

    private void install(ServingState.Ref ref, boolean makeCurrent) {
        LoadedCheckpoint c = registry.loadAndInstall(paths.confine(ref.uri()), ref.sha256().toLowerCase(),
                ref.checkpointId(), makeCurrent);
        LOG.infof("loaded checkpoint %s (step %d, %s)%s", c.id(), c.step(), c.dir(), makeCurrent ? " as current" : "");
    }

    @Override
    protected void countRefused() {
        meters.counter("zhyper.hypernet.checkpoints.refused").increment();
    }

    @Override
    protected void countStale() {
        meters.counter("zhyper.hypernet.checkpoints.stale").increment();
    }
}
