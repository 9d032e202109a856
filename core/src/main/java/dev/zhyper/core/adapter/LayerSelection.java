package dev.zhyper.core.adapter;

import java.util.stream.IntStream;

/**
 * Which decoder layers carry an adapter: {@code all}, a half-open range {@code a:b}, or a strided range
 * {@code a:b:step} (Python slice semantics; an empty end means "to the last layer").
 */
public record LayerSelection(int start, Integer end, int step) {

    public static final LayerSelection ALL = new LayerSelection(0, null, 1);

    public LayerSelection {
        if (start < 0 || step <= 0 || (end != null && end < start)) {
            throw new IllegalArgumentException("invalid layer selection " + start + ":" + end + ":" + step);
        }
    }

    public static LayerSelection parse(String s) {
        String t = s.trim();
        if (t.isEmpty() || t.equalsIgnoreCase("all")) {
            return ALL;
        }
        String[] p = t.split(":", -1);
        try {
            if (p.length == 1) {
                int l = Integer.parseInt(p[0]);
                return new LayerSelection(l, l + 1, 1);
            }
            if (p.length > 3) {
                throw new IllegalArgumentException("too many ':'");
            }
            int start = p[0].isBlank() ? 0 : Integer.parseInt(p[0].trim());
            Integer end = p[1].isBlank() ? null : Integer.parseInt(p[1].trim());
            int step = p.length == 3 && !p[2].isBlank() ? Integer.parseInt(p[2].trim()) : 1;
            return new LayerSelection(start, end, step);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid layer selection '" + s + "' (expected all, a:b or a:b:step): "
                    + e.getMessage(), e);
        }
    }

    /** The selected layer indices of a model with {@code numLayers} layers. */
    public int[] layers(int numLayers) {
        int e = end == null ? numLayers : Math.min(end, numLayers);
        int[] out = IntStream.iterate(start, i -> i < e, i -> i + step).toArray();
        if (out.length == 0) {
            throw new IllegalArgumentException("layer selection " + this + " selects no layer of " + numLayers);
        }
        return out;
    }

    @Override
    public String toString() {
        if (equals(ALL)) {
            return "all";
        }
        return start + ":" + (end == null ? "" : end) + (step == 1 ? "" : ":" + step);
    }
}
