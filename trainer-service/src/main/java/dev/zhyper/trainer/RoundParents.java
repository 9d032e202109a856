package dev.zhyper.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zhyper.core.embed.MiniLmEmbedder;
import dev.zhyper.core.checkpoint.Checkpoint;
import dev.zhyper.training.TrainingRun;
import dev.zhyper.proto.v1.CheckpointStatus;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which checkpoint is served now and which one the next streaming round continues from. Reads the store and the
 * trainer's announcements (manifests only; the chosen checkpoint is verified when training loads it). Holds no state
 * of its own: a view over {@link CheckpointStore}, {@link TrainerState} and {@code zhyper.trainer.initial-checkpoint}.
 */
final class RoundParents {

    private static final Logger LOG = Logger.getLogger(RoundParents.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainerSettings settings;
    private final CheckpointStore store;
    private final TrainerState state;

    RoundParents(TrainerSettings settings, CheckpointStore store, TrainerState state) {
        this.settings = settings;
        this.store = store;
        this.state = state;
    }

    /**
     * What the next round continues from: this trainer's newest streaming checkpoint that the gate did not reject
     * and that was not rolled back (rounds refine each other), else the served checkpoint ({@code promoted.json}, else
     * {@code zhyper.trainer.initial-checkpoint}) — so a fresh trainer refines the model users see — provided it is
     * compatible (same conditioning; for one-hot, the same tasks).
     */
    Optional<TrainingService.Parent> parent(TrainingRun.Conditioning cond, List<String> labels) {
        List<CheckpointStore.Entry> all = store.entries();
        for (int i = all.size() - 1; i >= 0; i--) {
            CheckpointStore.Entry e = all.get(i);
            if (!e.stream()) continue;
            boolean withdrawn = state.of(e.id()).map(a -> a.status() == CheckpointStatus.REJECTED
                    || a.status() == CheckpointStatus.ROLLED_BACK).orElse(false);
            if (withdrawn || !compatible(e.dir(), e.manifest(), cond, labels)) continue;
            return Optional.of(new TrainingService.Parent(e.id(), e.dir(), e.step(), true));
        }
        return served().filter(s -> compatible(s.dir(), manifestOf(s.dir()), cond, labels))
                .map(s -> new TrainingService.Parent(s.id(), s.dir(), manifestOf(s.dir()).path("step").asLong(0),
                        s.dir().getFileName().toString().startsWith(CheckpointStore.STREAM_PREFIX)));
    }

    /**
     * The checkpoint served now: the one recorded in {@code promoted.json} (if it is still on disk), else the
     * configured {@code zhyper.trainer.initial-checkpoint} (what {@code zhyper up --checkpoint} serves), else none.
     */
    Optional<EvaluationGate.Served> served() {
        Optional<String> promoted = store.promotedId();
        if (promoted.isPresent()) {
            Optional<CheckpointStore.Entry> e = store.entry(promoted.get());
            if (e.isPresent()) return Optional.of(new EvaluationGate.Served(e.get().id(), e.get().dir()));
        }
        return settings.initialCheckpoint().map(p -> new EvaluationGate.Served(
                manifestOf(p).path("checkpoint_id").asText(p.getFileName().toString()), p));
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

    private static JsonNode manifestOf(Path dir) {
        try {
            return JSON.readTree(dir.resolve(Checkpoint.MANIFEST).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(Checkpoint.MANIFEST), e);
        }
    }
}
