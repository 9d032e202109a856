package dev.zhyper.service.common;

import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSite;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.model.TargetModule;
import dev.zhyper.proto.v1.ModulateResponse;
import dev.zhyper.proto.v1.SiteModulation;
import dev.zhyper.proto.v1.Vector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one conversion between the engine's {@link ContextModulation} and the API's {@link ModulateResponse} (the
 * Hypernet's answer and the AdapterEvent's payload), and between a context embedding c and the API's {@link Vector}.
 * A response carries one {@link SiteModulation} per adapted site, in the adapter's site order: the layer, the module's
 * HF name, the shape of its numbers ({@code [r, r]} for square, {@code [width]} otherwise) and the numbers themselves.
 */
public final class ModulationCodec {

    private ModulationCodec() {}

    /** The response for {@code z}, produced by checkpoint {@code checkpointId} whose shared LoRA has rank {@code rank}. */
    public static ModulateResponse encode(String checkpointId, int rank, ContextModulation z) {
        ModulateResponse.Builder b = ModulateResponse.newBuilder().setCheckpointId(checkpointId)
                .setMethod(z.method().name()).setRank(rank).setBytes(z.bytes());
        float[] values = z.values();
        int[] widths = z.widths();
        int off = 0;
        for (int i = 0; i < z.sites().size(); i++) {
            AdapterSite s = z.sites().get(i);
            SiteModulation.Builder sb = SiteModulation.newBuilder().setLayer(s.layer()).setModule(s.module().hfName());
            for (int d : z.method().kind().siteShape(rank, widths[i])) sb.addShape(d); // square [r, r], else [width]
            for (int k = 0; k < widths[i]; k++) sb.addValues(values[off + k]);
            off += widths[i];
            b.addSites(sb);
        }
        return b.build();
    }

    /**
     * The modulation a response describes: its method, sites, one width per site (the number of values) and the
     * values in site order.
     *
     * @throws IllegalArgumentException for an unknown method or module name
     */
    public static ContextModulation decode(ModulateResponse r) {
        AdapterMethod method = AdapterMethod.parse(r.getMethod());
        List<AdapterSite> sites = new ArrayList<>(r.getSitesCount());
        int[] widths = new int[r.getSitesCount()];
        int total = 0;
        for (int i = 0; i < r.getSitesCount(); i++) {
            SiteModulation s = r.getSites(i);
            sites.add(new AdapterSite(s.getLayer(), TargetModule.parse(s.getModule())));
            widths[i] = s.getValuesCount();
            total += widths[i];
        }
        float[] values = new float[total];
        int o = 0;
        for (SiteModulation s : r.getSitesList()) {
            for (int k = 0; k < s.getValuesCount(); k++) values[o++] = s.getValues(k);
        }
        return new ContextModulation(method, sites, widths, values);
    }

    /** Whether {@code z} has the adapter's method, sites (in order) and per-site widths: it can modulate it. */
    public static boolean fits(ContextModulation z, ZhyperAdapter adapter) {
        return z.method() == adapter.spec().method() && z.sites().equals(adapter.sites())
                && Arrays.equals(z.widths(), adapter.widths());
    }

    /** A context embedding as the API's Vector. */
    public static Vector vector(float[] v) {
        Vector.Builder b = Vector.newBuilder();
        for (float x : v) b.addValues(x);
        return b.build();
    }

    /** The numbers of an API Vector. */
    public static float[] floats(Vector v) {
        float[] a = new float[v.getValuesCount()];
        for (int i = 0; i < a.length; i++) a[i] = v.getValues(i);
        return a;
    }
}
