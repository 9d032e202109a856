package dev.zhyper.training;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ZParametrisation;
import dev.zhyper.core.checkpoint.AdapterCheckpoint;
import dev.zhyper.core.checkpoint.Checkpoint;
import dev.zhyper.core.engine.ZhyperEngine;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.model.random.RandomModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training run records its recipe, trunk widths, z parametrisation and embedder in the checkpoint; loading
 * rebuilds the same adapter and embedder, and a checkpoint naming an embedder this build does not have, or with
 * the wrong width, is refused with a message naming it.
 */
class EmbedderCheckpointTest {
    @TempDir
    static Path tmp;
    static Path modelDir;
    static Path ckpt;
    static final ObjectMapper JSON = new ObjectMapper();
    static final Recipe RECIPE = new Recipe(8, 0.0, 0.05, 1e-3, 0.1);

    @BeforeAll
    static void train() {
        modelDir = RandomModels.writeLlama(tmp.resolve("tiny"), RandomModels.LlamaShape.tiny(0),
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ :\n", 3);
        ckpt = tmp.resolve("ckpt");
        HyperSpec widths = HyperSpec.defaults(1).withWidths(16, 48, 40, 1);
        TrainOptions o = TrainOptions.defaults(2).withBatch(2).withLr(1e-3).withRecipe(RECIPE);
        TrainingRun.run(new TrainingRun.Config(modelDir, AdapterSpec.of(2, AdapterMethod.DIAG)
                        .withZParam(ZParametrisation.ONE_PLUS), o, TrainingRun.Conditioning.MINILM, ckpt, 0,
                        ModelOptions.cpuFloat32(), "bge-small", widths),
                TrainerTest.DATA, TrainerTest.DESCRIPTIONS, s -> { });
    }

    @Test
    void theCheckpointRecordsTheRecipeAndLoadsTheSameAdapterAndEmbedder() throws Exception {
        JsonNode man = JSON.readTree(ckpt.resolve(Checkpoint.MANIFEST).toFile());
        assertEquals("bge-small-en-v1.5", man.at("/embedder/id").asText());
        assertEquals(384, man.at("/embedder/dim").asInt());
        assertEquals("one-plus", man.at("/adapter/z_param").asText());
        assertEquals(48, man.at("/hyper/hiddenDim").asInt());
        assertEquals(16, man.at("/hyper/taskDim").asInt());
        assertEquals(40, man.at("/hyper/outDim").asInt());
        assertEquals(1, man.at("/hyper/residualBlocks").asInt());
        assertEquals(384, man.at("/hyper/embedDim").asInt());
        assertEquals(RECIPE, JSON.treeToValue(man.at("/train/recipe"), Recipe.class));
        assertEquals(RECIPE, JSON.treeToValue(man.get("train"), TrainOptions.class).recipe());

        AdapterCheckpoint.Loaded l = AdapterCheckpoint.load(ckpt, ModelConfig.load(modelDir),
                ai.djl.Device.cpu(), DataType.FLOAT32);
        try (var a = l.adapter()) {
            assertEquals(ZParametrisation.ONE_PLUS, a.spec().zParam());
            assertEquals(48, a.hyperSpec().hiddenDim());
        }
        try (ZhyperEngine e = ZhyperEngine.open(modelDir, ckpt, ModelOptions.cpuFloat32())) {
            assertEquals("bge-small-en-v1.5", e.embedder().id());
            assertEquals(e.adapter().widths().length * 2, e.modulate("make it upper case").values().length);
        }
    }

    @Test
    void servingRefusesAnEmbedderItDoesNotHaveOrOfTheWrongWidth() throws Exception {
        Path other = copyWithEmbedder("gte-large", "gte-large-en-v1.5", 384);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ZhyperEngine.open(modelDir, other, ModelOptions.cpuFloat32()));
        assertTrue(e.getMessage().contains("gte-large-en-v1.5"), e.getMessage());
        Path wide = copyWithEmbedder("bge-wide", "bge-small-en-v1.5", 768);
        e = assertThrows(IllegalArgumentException.class,
                () -> ZhyperEngine.open(modelDir, wide, ModelOptions.cpuFloat32()));
        assertTrue(e.getMessage().contains("768"), e.getMessage());
    }

    @Test
    void resumingWithAnotherEmbedderIsRefused() {
        TrainOptions o = TrainOptions.defaults(4).withBatch(2).withLr(1e-3).withRecipe(RECIPE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingRun.run(
                new TrainingRun.Config(modelDir, AdapterSpec.of(2, AdapterMethod.DIAG)
                        .withZParam(ZParametrisation.ONE_PLUS), o, TrainingRun.Conditioning.MINILM, ckpt, 0,
                        ModelOptions.cpuFloat32(), "minilm", HyperSpec.defaults(1).withWidths(16, 48, 40, 1)),
                TrainerTest.DATA, TrainerTest.DESCRIPTIONS, s -> { }));
        assertTrue(e.getMessage().contains("bge-small-en-v1.5"), e.getMessage());
    }

    /** A copy of the checkpoint whose manifest names another embedder (the tensor files are unchanged). */
    private static Path copyWithEmbedder(String name, String id, int dim) throws Exception {
        Path dst = tmp.resolve(name);
        Files.createDirectories(dst);
        try (Stream<Path> s = Files.list(ckpt)) {
            for (Path p : s.toList()) {
                Files.copy(p, dst.resolve(p.getFileName()));
            }
        }
        ObjectNode man = (ObjectNode) JSON.readTree(dst.resolve(Checkpoint.MANIFEST).toFile());
        ((ObjectNode) man.get("embedder")).put("id", id).put("dim", dim);
        Files.writeString(dst.resolve(Checkpoint.MANIFEST), JSON.writeValueAsString(man));
        return dst;
    }
}
