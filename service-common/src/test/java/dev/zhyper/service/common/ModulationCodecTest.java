package dev.zhyper.service.common;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSite;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.proto.v1.ModulateResponse;
import dev.zhyper.proto.v1.SiteModulation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ContextModulation ⇄ ModulateResponse: the shapes of the API, a lossless round trip, the fit to an adapter. */
class ModulationCodecTest {

    private static final List<AdapterSite> SITES = List.of(new AdapterSite(0, TargetModule.Q_PROJ),
            new AdapterSite(0, TargetModule.V_PROJ), new AdapterSite(3, TargetModule.DOWN_PROJ));

    private static ContextModulation modulation(AdapterMethod method, int[] widths) {
        int total = 0;
        for (int w : widths) total += w;
        float[] v = new float[total];
        for (int i = 0; i < total; i++) v[i] = (i - 3) * 0.25f;
        return new ContextModulation(method, SITES, widths, v);
    }

    @Test
    void diagSitesCarryLayerModuleShapeAndValues() {
        ModulateResponse r = ModulationCodec.encode("ckpt-1", 2, modulation(AdapterMethod.DIAG, new int[] {2, 2, 2}));
        assertEquals("ckpt-1", r.getCheckpointId());
        assertEquals("DIAG", r.getMethod());
        assertEquals(2, r.getRank());
        assertEquals(24, r.getBytes());
        assertEquals(3, r.getSitesCount());
        SiteModulation last = r.getSites(2);
        assertEquals(3, last.getLayer());
        assertEquals("down_proj", last.getModule());
        assertEquals(List.of(2), last.getShapeList());
        assertEquals(List.of(0.25f, 0.5f), last.getValuesList());
    }

    @Test
    void squareSitesAreRankByRank() {
        ModulateResponse r = ModulationCodec.encode("c", 2, modulation(AdapterMethod.SQUARE, new int[] {4, 4, 4}));
        assertEquals(List.of(2, 2), r.getSites(1).getShapeList());
        assertEquals(4, r.getSites(1).getValuesCount());
    }

    @ParameterizedTest
    @EnumSource(AdapterMethod.class)
    void decodeInvertsEncode(AdapterMethod method) {
        int[] widths = method == AdapterMethod.MTL ? new int[] {0, 0, 0} : new int[] {4, 4, 6};
        ContextModulation z = modulation(method, widths);
        ContextModulation back = ModulationCodec.decode(ModulationCodec.encode("c", 2, z));
        assertEquals(method, back.method());
        assertEquals(SITES, back.sites());
        assertArrayEquals(widths, back.widths());
        assertArrayEquals(z.values(), back.values());
    }

    @Test
    void decodeNamesAnUnknownMethodOrModule() {
        ModulateResponse r = ModulationCodec.encode("c", 2, modulation(AdapterMethod.DIAG, new int[] {2, 2, 2}));
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
                () -> ModulationCodec.decode(r.toBuilder().setMethod("lora-xs").build()));
        assertTrue(m.getMessage().contains("unknown method 'lora-xs'"), m.getMessage());
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> ModulationCodec.decode(
                r.toBuilder().setSites(1, r.getSites(1).toBuilder().setModule("w_qkv")).build()));
        assertTrue(s.getMessage().contains("unknown target module 'w_qkv'"), s.getMessage());
    }

    @Test
    void fitsOnlyTheAdapterWithItsMethodSitesAndWidths() throws Exception {
        ObjectNode n = (ObjectNode) new ObjectMapper().readTree("{\"model_type\": \"llama\", \"vocab_size\": 40, "
                + "\"hidden_size\": 32, \"intermediate_size\": 64, \"num_hidden_layers\": 2, "
                + "\"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"max_position_embeddings\": 256}");
        ModelConfig cfg = ModelConfig.parse(Path.of("config.json"), n);
        try (ZhyperAdapter a = new ZhyperAdapter(cfg, AdapterSpec.of(4, AdapterMethod.DIAG), HyperSpec.defaults(12),
                Device.cpu(), DataType.FLOAT32, 11)) {
            ContextModulation own = ContextModulation.zeros(AdapterMethod.DIAG, a.sites(), a.widths());
            assertTrue(ModulationCodec.fits(ModulationCodec.decode(ModulationCodec.encode("c", 4, own)), a));
            assertFalse(ModulationCodec.fits(
                    ContextModulation.zeros(AdapterMethod.SQUARE, a.sites(), a.widths()), a), "method");
            assertFalse(ModulationCodec.fits(ContextModulation.zeros(AdapterMethod.DIAG, a.sites().subList(1,
                    a.sites().size()), new int[a.sites().size() - 1]), a), "sites");
            int[] wider = a.widths().clone();
            wider[0]++;
            assertFalse(ModulationCodec.fits(ContextModulation.zeros(AdapterMethod.DIAG, a.sites(), wider), a),
                    "widths");
        }
    }
}
