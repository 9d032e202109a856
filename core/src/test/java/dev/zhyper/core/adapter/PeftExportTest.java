package dev.zhyper.core.adapter;

import dev.zhyper.core.io.TensorInfo;
import dev.zhyper.core.io.SafeTensorsFile;
import dev.zhyper.core.io.DType;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSite;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.LayerSelection;
import dev.zhyper.core.adapter.ZParametrisation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.DecoderInput;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.core.nn.Init;
import dev.zhyper.core.nn.Parameter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A PEFT export of one context, read back as plain LoRA (independently of {@link ZhyperAdapter}) and merged into a
 * fresh base model, gives the same logits as the on-the-fly Zhyper adapter.
 */
class PeftExportTest {
    @TempDir
    static Path tmp;
    static Path modelDir;
    static DecoderModel base;
    static final int EMBED = 12;
    static final int[] TOKENS = {5, 9, 3, 17, 22, 8, 30, 1};
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void setUp() {
        modelDir = RandomModels.writeLlama(tmp.resolve("tiny"), RandomModels.LlamaShape.tiny(40), null, 7);
        base = DecoderModel.load(modelDir, ModelOptions.cpuFloat32());
    }

    @AfterAll
    static void tearDown() { base.close(); }

    static ZhyperAdapter randomAdapter(AdapterSpec spec) {
        ZhyperAdapter a = new ZhyperAdapter(base.config(), spec, HyperSpec.defaults(EMBED), Device.cpu(),
                DataType.FLOAT32, 11);
        SplittableRandom rng = new SplittableRandom(5);
        try (NDManager m = NDManager.newBaseManager()) {
            for (Parameter p : a.parameters().all()) {
                p.assign(Init.uniform(m, rng, 0.3, DataType.FLOAT32, p.array().getShape().getShape()));
            }
        }
        return a;
    }

    static float[] embedding(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] e = new float[EMBED];
        for (int i = 0; i < EMBED; i++) {
            e[i] = (float) rng.nextGaussian();
        }
        return e;
    }

    static float[] logits(DecoderModel model, ZhyperAdapter adapter, ContextModulation c) {
        try (NDManager m = model.manager().newSubManager()) {
            var delta = adapter == null ? null : adapter.forRows(m, List.of(c));
            return model.forward(m, DecoderInput.single(TOKENS), null, delta, DecoderModel.ForwardOptions.FULL)
                    .toFloatArray();
        }
    }

    /** Exports, reads back independently, merges into a fresh model and compares logits. */
    private void roundTrip(AdapterSpec spec, String name) throws Exception {
        try (ZhyperAdapter a = randomAdapter(spec)) {
            ContextModulation c = a.modulate(new float[][] {embedding(9)}).get(0);
            Path out = PeftExport.write(tmp.resolve(name), a, c, "tiny-llama", "make it upper case");
            checkFiles(out, a);

            Map<String, PeftExport.DeltaWeight> deltas = PeftExport.readDeltaWeights(out);
            Set<String> expected = new HashSet<>();
            a.sites().forEach(s -> expected.add(s.hfPath()));
            assertEquals(expected, deltas.keySet());
            try (DecoderModel fresh = DecoderModel.load(modelDir, ModelOptions.cpuFloat32());
                 NDManager m = NDManager.newBaseManager()) {
                for (PeftExport.DeltaWeight d : deltas.values()) {
                    fresh.mergeIntoWeight(d.layer(), d.target(), m.create(d.values(), new Shape(d.dOut(), d.dIn())));
                }
                float[] adapted = logits(base, a, c);
                float[] merged = logits(fresh, null, null);
                assertArrayEquals(adapted, merged, 2e-4f, name);
                assertFalse(Arrays.equals(adapted, logits(base, null, null)), "the adapter changes the logits");
            }
        }
    }

    private void checkFiles(Path out, ZhyperAdapter a) throws Exception {
        AdapterSpec spec = a.spec();
        ModelConfig cfg = a.modelConfig();
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(Set.of(PeftExport.CONFIG, PeftExport.WEIGHTS),
                    new HashSet<>(s.map(p -> p.getFileName().toString()).toList()));
        }
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".peft-")), "no temporary leftovers");
        }
        JsonNode c = JSON.readTree(out.resolve(PeftExport.CONFIG).toFile());
        assertEquals("LORA", c.get("peft_type").asText());
        assertEquals("CAUSAL_LM", c.get("task_type").asText());
        assertEquals(spec.rank(), c.get("r").asInt());
        assertEquals(spec.alpha(), c.get("lora_alpha").asDouble());
        assertEquals(spec.rsLora(), c.get("use_rslora").asBoolean());
        List<String> targets = new ArrayList<>();
        c.get("target_modules").forEach(t -> targets.add(t.asText()));
        assertEquals(spec.targets().stream().map(TargetModule::hfName).toList(), targets);
        int[] layers = spec.layers().layers(cfg.numLayers());
        if (layers.length == cfg.numLayers()) {
            assertTrue(c.get("layers_to_transform").isNull());
        } else {
            List<Integer> got = new ArrayList<>();
            c.get("layers_to_transform").forEach(l -> got.add(l.asInt()));
            assertEquals(Arrays.stream(layers).boxed().toList(), got);
        }
        assertEquals(0.0, c.get("lora_dropout").asDouble());
        assertEquals("none", c.get("bias").asText());
        assertFalse(c.get("fan_in_fan_out").asBoolean());
        assertTrue(c.get("inference_mode").asBoolean());
        assertEquals("tiny-llama", c.get("base_model_name_or_path").asText());
        assertEquals(spec.method().id(), c.get("zhyper").get("method").asText());
        assertEquals("make it upper case", c.get("zhyper").get("context").asText());

        try (SafeTensorsFile f = SafeTensorsFile.open(out.resolve(PeftExport.WEIGHTS))) {
            Set<String> names = new HashSet<>();
            for (AdapterSite site : a.sites()) {
                String stem = "base_model.model.model.layers." + site.layer() + "." + site.module().path();
                assertEquals(PeftExport.keyStem(site), stem);
                boolean mlp = Set.of(TargetModule.GATE_PROJ, TargetModule.UP_PROJ, TargetModule.DOWN_PROJ)
                        .contains(site.module());
                assertTrue(stem.endsWith((mlp ? ".mlp." : ".self_attn.") + site.module().hfName()), stem);
                TensorInfo ia = f.info(stem + ".lora_A.weight");
                TensorInfo ib = f.info(stem + ".lora_B.weight");
                assertEquals(DType.F32, ia.dtype());
                assertEquals(DType.F32, ib.dtype());
                assertArrayEquals(new long[] {spec.rank(), cfg.inDim(site.module())}, ia.shape());
                assertArrayEquals(new long[] {cfg.outDim(site.module()), spec.rank()}, ib.shape());
                names.add(ia.name());
                names.add(ib.name());
            }
            assertEquals(names, f.names());
            assertEquals("pt", f.metadata().get("format"));
        }
    }

    @ParameterizedTest
    @EnumSource(AdapterMethod.class)
    void qvExportMergedAsPlainLoraEqualsTheAdapter(AdapterMethod method) throws Exception {
        roundTrip(AdapterSpec.of(4, method), "qv-" + method.id());
    }

    @ParameterizedTest
    @EnumSource(AdapterMethod.class)
    void layerSubsetWithAnMlpTargetEqualsTheAdapter(AdapterMethod method) throws Exception {
        AdapterSpec spec = AdapterSpec.of(4, method)
                .withTargets(List.of(TargetModule.Q_PROJ, TargetModule.V_PROJ, TargetModule.DOWN_PROJ))
                .withLayers(LayerSelection.parse("0:2:2"));
        roundTrip(spec, "subset-" + method.id());
    }

    /**
     * Each z parametrisation: the PEFT export of a context, merged into a fresh base, gives the logits of the
     * training forward pass from that context's embedding (h → Z inside the adapter, so the export carries Z).
     */
    @ParameterizedTest
    @EnumSource(ZParametrisation.class)
    void everyZParametrisationExportsTheAdaptedLogits(ZParametrisation z) throws Exception {
        for (AdapterMethod method : List.of(AdapterMethod.DIAG, AdapterMethod.SQUARE)) {
            String name = "z-" + z.id() + "-" + method.id();
            roundTrip(AdapterSpec.of(4, method).withZParam(z), name);
            try (ZhyperAdapter a = randomAdapter(AdapterSpec.of(4, method).withZParam(z))) {
                float[] e = embedding(9);
                Path out = PeftExport.write(tmp.resolve(name + "-train"), a, a.modulate(new float[][] {e}).get(0),
                        "tiny-llama", "make it upper case");
                float[] trained;
                try (NDManager m = base.manager().newSubManager()) {
                    var fwd = a.forTraining(m, dev.zhyper.core.nn.Tensors.create(m, e, new Shape(1, EMBED)), false, 0);
                    trained = base.forward(m, DecoderInput.single(TOKENS), null, fwd.delta(),
                            DecoderModel.ForwardOptions.FULL).toFloatArray();
                }
                try (DecoderModel fresh = DecoderModel.load(modelDir, ModelOptions.cpuFloat32());
                     NDManager m = NDManager.newBaseManager()) {
                    for (PeftExport.DeltaWeight d : PeftExport.readDeltaWeights(out).values()) {
                        fresh.mergeIntoWeight(d.layer(), d.target(), m.create(d.values(), new Shape(d.dOut(), d.dIn())));
                    }
                    assertArrayEquals(trained, logits(fresh, null, null), 2e-4f, name);
                }
            }
        }
    }

    @Test
    void plainLoraScalingIsUsedWithoutRsLora() throws Exception {
        AdapterSpec spec = new AdapterSpec(4, 3.0, false, List.of(TargetModule.UP_PROJ, TargetModule.O_PROJ),
                LayerSelection.parse("1:2"), AdapterMethod.DIAG);
        roundTrip(spec, "plain-scaling");
    }

    @Test
    void replacesAPreviousExportButNotOtherDirectories() throws Exception {
        try (ZhyperAdapter a = randomAdapter(AdapterSpec.of(2, AdapterMethod.DIAG))) {
            ContextModulation c1 = a.modulate(new float[][] {embedding(1)}).get(0);
            ContextModulation c2 = a.modulate(new float[][] {embedding(2)}).get(0);
            Path out = tmp.resolve("replace");
            PeftExport.write(out, a, c1, "tiny");
            Map<String, PeftExport.DeltaWeight> first = PeftExport.readDeltaWeights(out);
            PeftExport.write(out, a, c2, "tiny");
            Map<String, PeftExport.DeltaWeight> second = PeftExport.readDeltaWeights(out);
            String key = a.sites().get(0).hfPath();
            assertFalse(Arrays.equals(first.get(key).values(), second.get(key).values()));

            Path other = Files.createDirectories(tmp.resolve("not-peft"));
            Files.writeString(other.resolve("keep.txt"), "x");
            assertThrows(IllegalStateException.class, () -> PeftExport.write(other, a, c1, "tiny"));
            assertTrue(Files.exists(other.resolve("keep.txt")));

            Path empty = Files.createDirectories(tmp.resolve("empty"));
            PeftExport.write(empty, a, c1, "tiny");
            assertTrue(Files.isRegularFile(empty.resolve(PeftExport.WEIGHTS)));
        }
    }
}
