package dev.zhyper.lab.experiments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The outcome of one grid cell, stored as {@code result.json} in its run directory (its presence marks the run
 * finished).
 *
 * @param heldOutAccuracy null where the method cannot be evaluated on held-out tasks (one-hot task ids)
 * @param perTask         task → exact-match accuracy (seen and held-out tasks)
 * @param msPerStep       mean wall time of an optimizer step (0 for the base model)
 * @param seenCharSimilarity mean character similarity 1 − Levenshtein(output, expected) / max length: partial
 *                           credit that still moves when exact match is 0 everywhere (tiny budgets)
 * @param seenTrainDescAccuracy exact match on the seen tasks asked with their <em>training</em> descriptions: with
 *                              {@code seenAccuracy} it separates fitting the description → adapter map from
 *                              generalising it to new phrasings; null where no description conditions the method
 *                              (base, mtl, one-hot task ids) and in results written before it existed
 * @param tailLoss  mean training loss over the last {@link #TAIL_STEPS} steps (null without training)
 */
public record RunResult(String method, int rank, long seed, int steps, long trainableParams, long bytesPerContext,
                        double seenAccuracy, Double heldOutAccuracy, Map<String, Double> perTask,
                        double finalLoss, double msPerStep, double trainSeconds, double evalSeconds,
                        int evalItems, Double seenCharSimilarity, Double heldOutCharSimilarity,
                        Map<String, Double> perTaskCharSimilarity, Double seenTrainDescAccuracy,
                        Double tailLoss) {

    /** Steps at the end of training whose mean loss is reported as {@code tailLoss}. */
    public static final int TAIL_STEPS = 200;

    public static final String FILE = "result.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** This result with the two measurements added after the first release of the format filled in. */
    public RunResult withExtras(Double seenTrainDescAccuracy, Double tailLoss) {
        return new RunResult(method, rank, seed, steps, trainableParams, bytesPerContext, seenAccuracy,
                heldOutAccuracy, perTask, finalLoss, msPerStep, trainSeconds, evalSeconds, evalItems,
                seenCharSimilarity, heldOutCharSimilarity, perTaskCharSimilarity, seenTrainDescAccuracy, tailLoss);
    }

    public void write(Path dir) {
        try {
            Path tmp = dir.resolve(FILE + ".tmp");
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RunResult read(Path dir) {
        try {
            return JSON.readValue(dir.resolve(FILE).toFile(), RunResult.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean exists(Path dir) { return Files.isRegularFile(dir.resolve(FILE)); }
}
