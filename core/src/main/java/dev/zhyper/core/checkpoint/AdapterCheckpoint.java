package dev.zhyper.core.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.LayerSelection;
import dev.zhyper.core.adapter.LoraVariant;
import dev.zhyper.core.adapter.ZParametrisation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.io.ModelFormatException;
import dev.zhyper.core.io.SafeTensorsFile;
import dev.zhyper.core.io.TensorData;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.core.nn.Parameter;
import dev.zhyper.core.nn.Tensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A trained Zhyper adapter on disk: {@code adapter.safetensors} (θ), optionally {@code optimizer.safetensors}
 * ({@link OptimizerState}: AdamW moments) and a manifest with the adapter and hypernetwork specs, the embedder, the base model's shape,
 * the step and the training options, all verified by sha256 when opened.
 */
public final class AdapterCheckpoint {
    public static final String PARAMS = "adapter.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private AdapterCheckpoint() {}

    /** Identifies the description encoder the hypernetwork was trained with (labels for one-hot). */
    public record EmbedderInfo(String id, int dim, List<String> labels) {}

    /** A loaded adapter with its manifest. */
    public record Loaded(ZhyperAdapter adapter, ObjectNode manifest, String checkpointId, long step,
                         EmbedderInfo embedder) {}

    /** Writes a checkpoint atomically. {@code optimizer} and {@code extra} may be null. */
    public static Path save(Path dir, ZhyperAdapter adapter, OptimizerState optimizer, long step, EmbedderInfo embedder,
                            ObjectNode extra, boolean replaceExisting) throws IOException {
        Map<String, List<TensorData>> files = new LinkedHashMap<>();
        List<TensorData> params = new ArrayList<>();
        for (Parameter p : adapter.parameters().all()) {
            params.add(tensor(p.name(), p.array()));
        }
        files.put(PARAMS, params);
        if (optimizer != null) {
            List<TensorData> opt = new ArrayList<>();
            optimizer.firstMoments().forEach((n, a) -> opt.add(tensor("m/" + n, a)));
            optimizer.secondMoments().forEach((n, a) -> opt.add(tensor("v/" + n, a)));
            files.put(OPTIMIZER, opt);
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("kind", "zhyper-adapter");
        body.put("step", step);
        body.set("adapter", specJson(adapter.spec()));
        if (adapter.hyperSpec() != null) {
            body.set("hyper", JSON.valueToTree(adapter.hyperSpec()));
        }
        if (embedder != null) {
            body.set("embedder", JSON.valueToTree(embedder));
        }
        body.set("base_model", baseJson(adapter.modelConfig()));
        if (optimizer != null) {
            body.put("optimizer_step", optimizer.step());
        }
        if (extra != null) {
            extra.fields().forEachRemaining(e -> body.set(e.getKey(), e.getValue()));
        }
        return Checkpoint.write(dir, files, body, replaceExisting);
    }

    private static TensorData tensor(String name, NDArray a) {
        float[] v = a.toType(DataType.FLOAT32, false).toFloatArray();
        return TensorData.ofFloats(name, v, a.getShape().getShape());
    }

    static ObjectNode specJson(AdapterSpec s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("method", s.method().id());
        n.put("rank", s.rank());
        n.put("alpha", s.alpha());
        n.put("rslora", s.rsLora());
        ArrayNode t = n.putArray("targets");
        s.targets().forEach(m -> t.add(m.hfName()));
        n.put("layers", s.layers().toString());
        n.put("variant", s.variant().id());
        n.put("z_param", s.zParam().id());
        return n;
    }

    static AdapterSpec specFrom(Path file, JsonNode n) {
        try {
            List<TargetModule> targets = new ArrayList<>();
            n.get("targets").forEach(x -> targets.add(TargetModule.parse(x.asText())));
            return new AdapterSpec(n.get("rank").asInt(), n.get("alpha").asDouble(), n.get("rslora").asBoolean(),
                    targets, LayerSelection.parse(n.get("layers").asText()), AdapterMethod.parse(n.get("method").asText()),
                    LoraVariant.parse(n.path("variant").asText("lora")),
                    ZParametrisation.parse(n.path("z_param").asText("head")));
        } catch (RuntimeException e) {
            throw new ModelFormatException(file, "manifest has an invalid adapter spec: " + e.getMessage(), e);
        }
    }

    private static ObjectNode baseJson(ModelConfig c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("model_type", c.family().modelType());
        n.put("hidden_size", c.hiddenSize());
        n.put("num_hidden_layers", c.numLayers());
        n.put("num_attention_heads", c.numHeads());
        n.put("num_key_value_heads", c.numKvHeads());
        n.put("head_dim", c.headDim());
        n.put("intermediate_size", c.intermediateSize());
        n.put("vocab_size", c.vocabSize());
        return n;
    }

    /** Opens, verifies and loads a checkpoint for the given base model; refuses one made for another shape. */
    public static Loaded load(Path dir, ModelConfig base, Device device, DataType dtype) {
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            ObjectNode man = ckpt.manifest();
            Path mf = dir.resolve(Checkpoint.MANIFEST);
            if (!"zhyper-adapter".equals(man.path("kind").asText())) {
                throw new ModelFormatException(mf, "not a Zhyper adapter checkpoint (kind=" + man.path("kind") + ")");
            }
            JsonNode expected = baseJson(base);
            JsonNode actual = man.get("base_model");
            if (!expected.equals(actual)) {
                throw new ModelFormatException(mf, "checkpoint was trained for base model " + actual
                        + " but the loaded base model is " + expected);
            }
            AdapterSpec spec = specFrom(mf, man.get("adapter"));
            HyperSpec hyper = null;
            if (spec.method().usesHypernetwork()) {
                try {
                    hyper = JSON.treeToValue(man.get("hyper"), HyperSpec.class);
                } catch (Exception e) {
                    throw new ModelFormatException(mf, "manifest has an invalid hypernetwork spec: " + e.getMessage(), e);
                }
            }
            EmbedderInfo emb = embedderFrom(mf, man);
            ZhyperAdapter adapter = new ZhyperAdapter(base, spec, hyper, device, dtype, 0);
            try {
                assign(ckpt.file(PARAMS), adapter.parameters().all(), "");
            } catch (RuntimeException e) {
                adapter.close();
                throw e;
            }
            return new Loaded(adapter, man, ckpt.id(), man.path("step").asLong(), emb);
        }
    }

    /**
     * What a checkpoint's manifest says: its id, step, adapter spec and embedder (null when none is recorded).
     */
    public record Summary(String checkpointId, long step, AdapterSpec spec, EmbedderInfo embedder) {}

    /**
     * Reads a Zhyper adapter checkpoint's manifest (structure checked, as {@link #load} does; the tensor files are
     * neither hashed nor loaded). Every problem is a {@link ModelFormatException} naming the file.
     */
    public static Summary summary(Path dir) {
        ObjectNode man = Checkpoint.readManifest(dir).manifest();
        Path mf = dir.resolve(Checkpoint.MANIFEST);
        if (!"zhyper-adapter".equals(man.path("kind").asText())) {
            throw new ModelFormatException(mf, "not a Zhyper adapter checkpoint (kind=" + man.path("kind") + ")");
        }
        return new Summary(man.path("checkpoint_id").asText(), man.path("step").asLong(),
                specFrom(mf, man.get("adapter")), embedderFrom(mf, man));
    }

    private static EmbedderInfo embedderFrom(Path mf, ObjectNode man) {
        if (!man.hasNonNull("embedder")) return null;
        try {
            return JSON.treeToValue(man.get("embedder"), EmbedderInfo.class);
        } catch (Exception e) {
            throw new ModelFormatException(mf, "manifest has an invalid embedder entry: " + e.getMessage(), e);
        }
    }

    /** Restores the optimizer's moments and step from a checkpoint written with an optimizer. */
    public static void restoreOptimizer(Path dir, OptimizerState optimizer, List<Parameter> params) {
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            if (!ckpt.has(OPTIMIZER)) {
                throw new ModelFormatException(dir, "checkpoint has no optimizer state; cannot resume training exactly");
            }
            SafeTensorsFile f = ckpt.file(OPTIMIZER);
            try (NDManager m = NDManager.newBaseManager()) {
                for (Parameter p : params) {
                    copyInto(f, "m/" + p.name(), optimizer.firstMoments().get(p.name()), m);
                    copyInto(f, "v/" + p.name(), optimizer.secondMoments().get(p.name()), m);
                }
            }
            optimizer.setStep(ckpt.manifest().path("optimizer_step").asLong(ckpt.manifest().path("step").asLong()));
        }
    }

    private static void assign(SafeTensorsFile f, List<Parameter> params, String prefix) {
        Set<String> expected = new HashSet<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (Parameter p : params) {
                expected.add(prefix + p.name());
                copyInto(f, prefix + p.name(), p.array(), m);
            }
        }
        for (String n : f.names()) {
            if (!expected.contains(n)) {
                throw new ModelFormatException(f.path(), "unexpected tensor '" + n + "' for this adapter spec");
            }
        }
    }

    private static void copyInto(SafeTensorsFile f, String name, NDArray target, NDManager m) {
        long[] shape = target.getShape().getShape();
        float[] v = f.readFloats(name, shape);
        for (float x : v) {
            if (!Float.isFinite(x)) {
                throw new ModelFormatException(f.path(), "tensor '" + name + "' contains NaN or infinite values");
            }
        }
        NDArray src = Tensors.create(m, v, new Shape(shape));
        target.set(src.toType(target.getDataType(), false).toByteBuffer());
    }
}
