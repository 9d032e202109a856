package dev.zhyper.lab.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Minimal SVG charts (lines, scatter) with axes, ticks, labels and a legend; no dependencies. */
public final class SvgPlot {
    /** A named series; {@code marker}: "circle", "triangle", "square", "cross" or "line". */
    public record Series(String name, String color, double[] x, double[] y, String marker, String[] labels) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final List<Series> series = new ArrayList<>();
    private int width = 860;
    private int height = 520;
    private int legendWidth = 200;
    private int legendColumns = 1;
    private double[] forcedY;

    public SvgPlot(String title, String xLabel, String yLabel, boolean logX) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
    }

    public SvgPlot size(int w, int h, int legendW, int legendCols) {
        width = w;
        height = h;
        legendWidth = legendW;
        legendColumns = legendCols;
        return this;
    }

    /** Fixes the y-axis range (e.g. 0–100 for accuracies). */
    public SvgPlot yRange(double lo, double hi) {
        forcedY = new double[] {lo, hi};
        return this;
    }

    public SvgPlot add(Series s) {
        series.add(s);
        return this;
    }

    /** Distinct colours for {@code n} categories (evenly spaced hues, alternating lightness). */
    public static String color(int i, int n) {
        if (n <= 10) {
            String[] tab = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                "#7f7f7f", "#bcbd22", "#17becf"};
            return tab[i % tab.length];
        }
        double h = 360.0 * i / n;
        int l = i % 2 == 0 ? 42 : 58;
        return String.format(Locale.ROOT, "hsl(%.0f,70%%,%d%%)", h, l);
    }

    public String render() {
        int left = 70;
        int top = 40;
        int right = legendWidth + 20;
        int bottom = 55;
        int pw = width - left - right;
        int ph = height - top - bottom;
        double xmin = Double.POSITIVE_INFINITY, xmax = Double.NEGATIVE_INFINITY;
        double ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                double x = tx(s.x()[i]);
                if (Double.isFinite(x) && Double.isFinite(s.y()[i])) {
                    xmin = Math.min(xmin, x);
                    xmax = Math.max(xmax, x);
                    ymin = Math.min(ymin, s.y()[i]);
                    ymax = Math.max(ymax, s.y()[i]);
                }
            }
        }
        if (!Double.isFinite(xmin)) {
            xmin = 0;
            xmax = 1;
            ymin = 0;
            ymax = 1;
        }
        if (xmax - xmin < 1e-12) {
            xmin -= 0.5;
            xmax += 0.5;
        }
        if (ymax - ymin < 1e-12) {
            ymin -= 0.5;
            ymax += 0.5;
        }
        double xpad = (xmax - xmin) * 0.05, ypad = (ymax - ymin) * 0.05;
        final double x0 = xmin - xpad, x1 = xmax + xpad;
        final double y0 = forcedY != null ? forcedY[0] : ymin - ypad, y1 = forcedY != null ? forcedY[1] : ymax + ypad;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                left, esc(title)));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#333\"/>%n", left, top, pw, ph));
        // ticks
        for (double t : ticks(x0, x1, logX)) {
            double px = left + (tx(t) - x0) / (x1 - x0) * pw;
            if (px < left - 0.5 || px > left + pw + 0.5) continue;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, top, px, top + ph, px,
                    top + ph + 16, fmt(t)));
        }
        for (double t : ticks(y0, y1, false)) {
            double py = top + ph - (t - y0) / (y1 - y0) * ph;
            if (py < top - 0.5 || py > top + ph + 0.5) continue;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", left, py, left + pw, py, left - 6,
                    py + 4, fmt(t)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                left + pw / 2, height - 15, esc(xLabel)));
        sb.append(String.format(Locale.ROOT, "<text transform=\"translate(18,%d) rotate(-90)\" text-anchor=\"middle\">"
                + "%s</text>%n", top + ph / 2, esc(yLabel)));
        for (Series s : series) {
            List<String> pts = new ArrayList<>();
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(tx(s.x()[i])) || !Double.isFinite(s.y()[i])) continue;
                double px = left + (tx(s.x()[i]) - x0) / (x1 - x0) * pw;
                double py = top + ph - (s.y()[i] - y0) / (y1 - y0) * ph;
                if (s.marker().equals("line")) {
                    pts.add(String.format(Locale.ROOT, "%.1f,%.1f", px, py));
                } else {
                    sb.append(marker(s.marker(), px, py, s.color()));
                    if (s.labels() != null && s.labels()[i] != null) {
                        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
                                + "fill=\"#333\">%s</text>%n", px + 6, py - 5, esc(s.labels()[i])));
                    }
                }
            }
            if (!pts.isEmpty()) {
                sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" "
                        + "points=\"%s\"/>%n", s.color(), String.join(" ", pts)));
            }
        }
        // legend
        int lx = left + pw + 15;
        int perCol = (int) Math.ceil(series.stream().filter(s -> s.name() != null).count() / (double) legendColumns);
        int colW = legendWidth / legendColumns;
        int k = 0;
        for (Series s : series) {
            if (s.name() == null) continue;
            int col = perCol == 0 ? 0 : k / perCol;
            int row = perCol == 0 ? 0 : k % perCol;
            int x = lx + col * colW;
            int y = top + 8 + row * (legendColumns > 1 ? 13 : 17);
            sb.append(s.marker().equals("line")
                    ? String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"2.5\"/>", x, y, x + 16, y, s.color())
                    : marker(s.marker(), x + 8, y, s.color()));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"%d\">%s</text>%n", x + 21,
                    y + 4, legendColumns > 1 ? 9 : 11, esc(s.name())));
            k++;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private double tx(double x) { return logX ? (x > 0 ? Math.log10(x) : Double.NaN) : x; }

    private static String marker(String kind, double x, double y, String color) {
        return switch (kind) {
            case "triangle" -> String.format(Locale.ROOT, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" "
                    + "fill=\"%s\" stroke=\"#222\" stroke-width=\"0.6\"/>%n", x, y - 5, x - 4.5, y + 3.5, x + 4.5,
                    y + 3.5, color);
            case "square" -> String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\" "
                    + "fill=\"%s\" stroke=\"#222\" stroke-width=\"0.6\"/>%n", x - 4, y - 4, color);
            case "cross" -> String.format(Locale.ROOT, "<path d=\"M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f\" "
                    + "stroke=\"%s\" stroke-width=\"2\"/>%n", x - 4, y - 4, x + 4, y + 4, x - 4, y + 4, x + 4, y - 4,
                    color);
            default -> String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" "
                    + "fill-opacity=\"0.8\" stroke=\"#222\" stroke-width=\"0.4\"/>%n", x, y, color);
        };
    }

    /** Tick values: decades for a log axis (in data units), otherwise ~6 "nice" steps. */
    private static List<Double> ticks(double lo, double hi, boolean log) {
        List<Double> out = new ArrayList<>();
        if (log) {
            for (int e = (int) Math.floor(lo); e <= Math.ceil(hi); e++) {
                for (int m : new int[] {1, 2, 5}) {
                    double v = m * Math.pow(10, e);
                    if (Math.log10(v) >= lo && Math.log10(v) <= hi) out.add(v);
                }
            }
            return out;
        }
        double raw = (hi - lo) / 6;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        for (double v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) {
            out.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        }
        return out;
    }

    private static String fmt(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) return trim(String.format(Locale.ROOT, "%.3g", v / 1e6)) + "M";
        if (a >= 1e4) return trim(String.format(Locale.ROOT, "%.3g", v / 1e3)) + "k";
        if (a == Math.rint(a)) return String.format(Locale.ROOT, "%.0f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String trim(String s) {
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
