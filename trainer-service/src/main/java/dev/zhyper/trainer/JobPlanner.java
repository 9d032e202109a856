package dev.zhyper.trainer;

import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.data.Datasets;
import dev.zhyper.core.data.TrainingExample;
import dev.zhyper.training.TrainOptions;
import dev.zhyper.training.TrainingRun;
import dev.zhyper.proto.Topics;
import dev.zhyper.proto.v1.StartJobRequest;
import dev.zhyper.service.common.ConfinedRoots;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Validates a {@link StartJobRequest} into a {@link Plan}: parameters (0 = the {@code zhyper.trainer.*} default), the
 * adapter spec, the dataset and descriptions files (confined to {@code zhyper.trainer.data-roots}; none = what was
 * streamed), and that every task has descriptions. Status codes: NOT_FOUND for a path that does not exist,
 * INVALID_ARGUMENT for bad parameters or file contents.
 */
final class JobPlanner {

    /** A validated job: what TrainingRun needs. */
    record Plan(AdapterSpec spec, TrainOptions options, TrainingRun.Conditioning conditioning,
                List<TrainingExample> examples, Map<String, List<String>> descriptions) {}

    private final TrainerSettings settings;
    private final ExampleLog exampleLog;
    private final TrainingRunner runner;

    JobPlanner(TrainerSettings settings, ExampleLog exampleLog, TrainingRunner runner) {
        this.settings = settings;
        this.exampleLog = exampleLog;
        this.runner = runner;
    }

    /** @throws StatusRuntimeException on any invalid request */
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
            o = runner.options(req.getSteps() == 0 ? settings.steps() : req.getSteps(),
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

    static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
}
