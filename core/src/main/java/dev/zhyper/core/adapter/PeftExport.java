package dev.zhyper.core.adapter;

import dev.zhyper.core.io.TensorData;
import dev.zhyper.core.io.SafeTensorsWriter;
import dev.zhyper.core.io.SafeTensorsFile;
import dev.zhyper.core.io.ModelFormatException;
import dev.zhyper.core.io.DurableFiles;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.core.adapter.AdapterSite;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.core.nn.NoGrad;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Exports the adapter of one context as a standard Hugging Face PEFT LoRA adapter directory
 * ({@code adapter_config.json} + {@code adapter_model.safetensors}), loadable with
 * {@code PeftModel.from_pretrained(base, dir)}. Per adapted site: {@code lora_A = Z(c)·A} [r, d_in] and
 * {@code lora_B = B} [d_out, r] (T2L: the emitted A_c, B_c), with {@code lora_alpha} and {@code use_rslora} chosen so
 * that PEFT's scaling equals the adapter's s. The merged form is W' = W + s·B·Z(c)·A, exactly the served update.
 *
 * <p>{@link #readDeltaWeights} is an independent plain-LoRA reader of such a directory (PEFT semantics, double
 * arithmetic, no {@link ZhyperAdapter}), used to check exports.
 */
public final class PeftExport {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    /** PEFT's prefix of LoRA weight names of a causal LM ({@code PeftModelForCausalLM.base_model.model}). */
    public static final String KEY_PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeftExport() {}

    /** What the export records about its origin in the {@code zhyper} object of the config (all optional). */
    public record Provenance(String checkpointId, String contextText) {
        public static final Provenance NONE = new Provenance(null, null);
    }

    /** Writes the PEFT adapter of {@code context} to {@code outDir}; see {@link #write(Path, ZhyperAdapter, ContextModulation, String, Provenance)}. */
    public static Path write(Path outDir, ZhyperAdapter adapter, ContextModulation context, String baseModelNameOrPath)
            throws IOException {
        return write(outDir, adapter, context, baseModelNameOrPath, Provenance.NONE);
    }

    /** Like {@link #write(Path, ZhyperAdapter, ContextModulation, String)}, recording the context text. */
    public static Path write(Path outDir, ZhyperAdapter adapter, ContextModulation context, String baseModelNameOrPath,
                             String contextText) throws IOException {
        return write(outDir, adapter, context, baseModelNameOrPath, new Provenance(null, contextText));
    }

    /**
     * Writes the PEFT adapter of {@code context} atomically: both files go to a hidden temporary directory next to
     * {@code outDir}, which is then renamed to {@code outDir}. An existing {@code outDir} is replaced only if it is
     * empty or a previous PEFT export (holds {@value #CONFIG}); anything else is refused.
     *
     * @return {@code outDir}
     */
    public static Path write(Path outDir, ZhyperAdapter adapter, ContextModulation context, String baseModelNameOrPath,
                             Provenance provenance) throws IOException {
        if (!context.sites().equals(adapter.sites())) {
            throw new IllegalArgumentException("the context modulation was computed for other sites than this adapter's");
        }
        if (context.method() != adapter.spec().method()) {
            throw new IllegalArgumentException("the context modulation is for method " + context.method().id()
                    + ", the adapter is " + adapter.spec().method().id());
        }
        Provenance prov = provenance == null ? Provenance.NONE : provenance;
        List<TensorData> tensors = tensors(adapter, context);
        byte[] config = JSON.writer().with(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsBytes(config(adapter, baseModelNameOrPath, prov));

        Path abs = outDir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null || abs.getFileName() == null) {
            throw new IllegalArgumentException("bad output directory " + outDir);
        }
        String name = abs.getFileName().toString();
        checkReplaceable(abs);
        Files.createDirectories(parent);
        Path tmp = parent.resolve(".peft-tmp-" + name + "-" + DurableFiles.randomHex());
        Files.createDirectory(tmp);
        boolean moved = false;
        try {
            SafeTensorsWriter.write(tmp.resolve(WEIGHTS), tensors, Map.of("format", "pt"));
            DurableFiles.writeSynced(tmp.resolve(CONFIG), config);
            DurableFiles.syncDirectory(tmp, false);
            if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
                checkReplaceable(abs);
            }
            DurableFiles.publishDirectory(tmp, abs, ".peft-old-");
            moved = true;
            return outDir;
        } finally {
            if (!moved) {
                try {
                    DurableFiles.deleteRecursively(tmp);
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }
    }

    /** The PEFT weight name stem of a site, e.g. {@code base_model.model.model.layers.3.self_attn.q_proj}. */
    public static String keyStem(AdapterSite site) {
        return KEY_PREFIX + site.hfPath();
    }

    private static List<TensorData> tensors(ZhyperAdapter adapter, ContextModulation context) {
        List<TensorData> out = new ArrayList<>();
        try (NoGrad ignored = new NoGrad(); NDManager m = adapter.manager().newSubManager()) {
            for (AdapterSite site : adapter.sites()) {
                NDArray[] f = adapter.peftFactors(m, context, site);
                out.add(floats(keyStem(site) + ".lora_A.weight", f[0]));
                out.add(floats(keyStem(site) + ".lora_B.weight", f[1]));
            }
        }
        return out;
    }

    private static TensorData floats(String name, NDArray a) {
        float[] v = a.toType(DataType.FLOAT32, false).toFloatArray();
        for (float x : v) {
            if (!Float.isFinite(x)) {
                throw new IllegalStateException("tensor '" + name + "' contains NaN or infinite values");
            }
        }
        return TensorData.ofFloats(name, v, a.getShape().getShape());
    }

    private static ObjectNode config(ZhyperAdapter adapter, String baseModel, Provenance prov) {
        AdapterSpec spec = adapter.spec();
        ModelConfig model = adapter.modelConfig();
        int[] layers = spec.layers().layers(model.numLayers());
        ObjectNode n = JSON.createObjectNode();
        n.put("peft_type", "LORA");
        n.put("task_type", "CAUSAL_LM");
        n.put("r", spec.rank());
        n.put("lora_alpha", spec.alpha());
        n.put("use_rslora", spec.rsLora());
        ArrayNode targets = n.putArray("target_modules");
        spec.targets().forEach(t -> targets.add(t.hfName()));
        if (layers.length == model.numLayers()) {
            n.putNull("layers_to_transform");
        } else {
            ArrayNode l = n.putArray("layers_to_transform");
            for (int i : layers) {
                l.add(i);
            }
        }
        n.putNull("layers_pattern");
        n.put("lora_dropout", 0.0);
        n.put("bias", "none");
        n.put("fan_in_fan_out", false);
        n.putNull("modules_to_save");
        n.put("init_lora_weights", true);
        n.putObject("rank_pattern");
        n.putObject("alpha_pattern");
        n.put("use_dora", false);
        if (baseModel == null) {
            n.putNull("base_model_name_or_path");
        } else {
            n.put("base_model_name_or_path", baseModel);
        }
        n.putNull("revision");
        n.put("inference_mode", true);
        ObjectNode z = n.putObject("zhyper");
        z.put("method", spec.method().id());
        z.put("rank", spec.rank());
        z.put("scaling", spec.scaling());
        z.put("layers", spec.layers().toString());
        if (prov.checkpointId() != null) {
            z.put("checkpoint_id", prov.checkpointId());
        }
        if (prov.contextText() != null) {
            z.put("context", prov.contextText());
        }
        z.put("note", "lora_A = Z(c)·A, lora_B = B (t2l: the emitted A(c), B(c)); merged W' = W + s·B·Z(c)·A");
        return n;
    }

    // ------------------------------------------------------------------------------ independent reader

    /** ΔW [dOut, dIn] (row-major) of one module of the base model, named by its HF path stem. */
    public record DeltaWeight(String module, int layer, TargetModule target, int dOut, int dIn, float[] values) {}

    /**
     * Reads a PEFT LoRA adapter directory as plain LoRA and returns ΔW = scaling·lora_B·lora_A per module, keyed by
     * the module's HF stem (e.g. {@code model.layers.0.self_attn.q_proj}), with PEFT's scaling
     * {@code lora_alpha/sqrt(r)} if {@code use_rslora} else {@code lora_alpha/r}. Checks that every adapted module
     * is one of {@code target_modules} and, when {@code layers_to_transform} is set, in those layers, and that both
     * factors exist with shapes [r, d_in] and [d_out, r].
     */
    public static Map<String, DeltaWeight> readDeltaWeights(Path peftDir) {
        Path cfgFile = peftDir.resolve(CONFIG);
        JsonNode cfg;
        try {
            cfg = JSON.readTree(cfgFile.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(cfgFile + ": cannot read", e);
        }
        if (cfg == null || !"LORA".equals(cfg.path("peft_type").asText())) {
            throw new ModelFormatException(cfgFile, "not a PEFT LoRA adapter config");
        }
        int r = cfg.path("r").asInt(-1);
        if (r <= 0 || !cfg.path("lora_alpha").isNumber()) {
            throw new ModelFormatException(cfgFile, "r and lora_alpha are required");
        }
        double alpha = cfg.get("lora_alpha").asDouble();
        double scaling = cfg.path("use_rslora").asBoolean(false) ? alpha / Math.sqrt(r) : alpha / r;
        Set<String> targets = new HashSet<>();
        cfg.path("target_modules").forEach(t -> targets.add(t.asText()));
        Set<Integer> layers = null;
        if (cfg.path("layers_to_transform").isArray()) {
            layers = new HashSet<>();
            for (JsonNode l : cfg.get("layers_to_transform")) {
                layers.add(l.asInt());
            }
        }
        Map<String, DeltaWeight> out = new LinkedHashMap<>();
        Path wFile = peftDir.resolve(WEIGHTS);
        try (SafeTensorsFile f = SafeTensorsFile.open(wFile)) {
            List<String> names = new ArrayList<>(f.names());
            for (String n : names) {
                if (!n.startsWith(KEY_PREFIX) || !(n.endsWith(".lora_A.weight") || n.endsWith(".lora_B.weight"))) {
                    throw new ModelFormatException(wFile, "unexpected tensor '" + n + "'");
                }
            }
            for (String n : names) {
                if (!n.endsWith(".lora_A.weight")) {
                    continue;
                }
                String stem = n.substring(KEY_PREFIX.length(), n.length() - ".lora_A.weight".length());
                String bName = KEY_PREFIX + stem + ".lora_B.weight";
                if (!f.contains(bName)) {
                    throw new ModelFormatException(wFile, "'" + n + "' has no matching lora_B");
                }
                String[] parts = stem.split("\\.");
                if (parts.length != 5 || !parts[0].equals("model") || !parts[1].equals("layers")) {
                    throw new ModelFormatException(wFile, "unexpected module path '" + stem + "'");
                }
                int layer = Integer.parseInt(parts[2]);
                TargetModule target = TargetModule.parse(parts[3] + "." + parts[4]);
                if (!targets.contains(parts[4])) {
                    throw new ModelFormatException(wFile, "module '" + stem + "' is not in target_modules " + targets);
                }
                if (layers != null && !layers.contains(layer)) {
                    throw new ModelFormatException(wFile, "layer " + layer + " is not in layers_to_transform");
                }
                long[] aShape = f.info(n).shape();
                long[] bShape = f.info(bName).shape();
                if (aShape.length != 2 || bShape.length != 2 || aShape[0] != r || bShape[1] != r) {
                    throw new ModelFormatException(wFile, "'" + stem + "' has lora_A " + Arrays.toString(aShape)
                            + " and lora_B " + Arrays.toString(bShape) + ", expected [" + r + ", d_in] and [d_out, "
                            + r + "]");
                }
                int dIn = (int) aShape[1];
                int dOut = (int) bShape[0];
                float[] a = f.readFloats(n);
                float[] b = f.readFloats(bName);
                float[] delta = new float[dOut * dIn];
                for (int i = 0; i < dOut; i++) {
                    for (int j = 0; j < dIn; j++) {
                        double s = 0;
                        for (int k = 0; k < r; k++) {
                            s += (double) b[i * r + k] * a[k * dIn + j];
                        }
                        delta[i * dIn + j] = (float) (scaling * s);
                    }
                }
                out.put(stem, new DeltaWeight(stem, layer, target, dOut, dIn, delta));
            }
            for (String n : names) {
                if (n.endsWith(".lora_B.weight")
                        && !out.containsKey(n.substring(KEY_PREFIX.length(), n.length() - ".lora_B.weight".length()))) {
                    throw new ModelFormatException(wFile, "'" + n + "' has no matching lora_A");
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------- files

    private static void checkReplaceable(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException(dir + " exists and is not a directory");
        }
        if (Files.isRegularFile(dir.resolve(CONFIG))) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isPresent()) {
                throw new IllegalStateException(dir + " exists, is not empty and is not a PEFT adapter directory;"
                        + " refusing to replace it");
            }
        }
    }

}
