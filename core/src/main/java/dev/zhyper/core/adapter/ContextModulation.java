package dev.zhyper.core.adapter;

import java.util.Arrays;
import java.util.List;

/**
 * What the hypernetwork produced for one context: for every adapted site, its numbers (z for diag, row-major Z
 * for square, [A | B] row-major for T2L), before the LoRA scaling s. This is the whole per-context adapter:
 * L·T·r floats for Zhyper-diag.
 */
public record ContextModulation(AdapterMethod method, List<AdapterSite> sites, int[] widths, float[] values) {

    public ContextModulation {
        sites = List.copyOf(sites);
        if (widths.length != sites.size()) {
            throw new IllegalArgumentException("one width per site expected");
        }
        long total = 0;
        for (int w : widths) {
            total += w;
        }
        if (values.length != total) {
            throw new IllegalArgumentException("expected " + total + " values, got " + values.length);
        }
    }

    /** Offset of a site's numbers in {@link #values()}. */
    public int offset(int siteIndex) {
        int o = 0;
        for (int i = 0; i < siteIndex; i++) {
            o += widths[i];
        }
        return o;
    }

    /** The numbers of one site. */
    public float[] site(int index) {
        int o = offset(index);
        return Arrays.copyOfRange(values, o, o + widths[index]);
    }

    /** Size of the per-context adapter in bytes at float32. */
    public long bytes() { return 4L * values.length; }

    /** A zero modulation (z = 0: the adapted model equals the base model). */
    public static ContextModulation zeros(AdapterMethod method, List<AdapterSite> sites, int[] widths) {
        return new ContextModulation(method, sites, widths, new float[Arrays.stream(widths).sum()]);
    }

    /** Whether every number is zero. */
    public boolean isZero() {
        for (float v : values) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }
}
