package dev.zhyper.generator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A/B arm configuration and the stable assignment of a key to an arm.
 *
 * <p>Assignment: the first 8 bytes of SHA-256(UTF-8 key), read big-endian as an unsigned 64-bit number, modulo
 * {@value #BUCKETS} gives a bucket; bucket / {@value #BUCKETS} · (sum of weights) is compared against the
 * cumulative weights in configuration order. The same key therefore always lands on the same arm (across replicas
 * and restarts) as long as the arm list and weights stay the same.
 */
public final class ArmChooser {

    /** Resolution of the split: 10,000 buckets (0.01 %). */
    public static final int BUCKETS = 10_000;

    /** One arm of the experiment as configured: name, checkpoint directory (null = base model), weight. */
    public record ArmSpec(String name, String checkpointDir, double weight) {
        public ArmSpec {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("arm name is blank");
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("arm '" + name + "' needs a positive weight, got " + weight);
            }
        }
    }

    private final List<ArmSpec> arms;
    private final double[] cumulative;

    public ArmChooser(List<ArmSpec> arms) {
        if (arms.isEmpty()) throw new IllegalArgumentException("at least one arm is required");
        Set<String> names = new LinkedHashSet<>();
        for (ArmSpec a : arms) {
            if (!names.add(a.name())) throw new IllegalArgumentException("duplicate arm name '" + a.name() + "'");
        }
        this.arms = List.copyOf(arms);
        this.cumulative = new double[arms.size()];
        double c = 0;
        for (int i = 0; i < arms.size(); i++) {
            c += arms.get(i).weight();
            cumulative[i] = c;
        }
    }

    public List<ArmSpec> arms() {
        return arms;
    }

    /**
     * Parses {@code zhyper.ab.arms}: {@code name=checkpointDir:weight} separated by commas, e.g.
     * {@code control=/ckpt/a:90,treatment=/ckpt/b:10}. The weight is after the LAST colon (so Windows-style or
     * {@code file:} paths keep theirs); a missing weight means 1. An empty directory ({@code base=:10}) serves the
     * base model.
     */
    public static List<ArmSpec> parse(String spec) {
        List<ArmSpec> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("zhyper.ab.arms entry '" + p + "' is not name=dir:weight");
            String name = p.substring(0, eq).trim();
            String rest = p.substring(eq + 1).trim();
            double weight = 1;
            int colon = rest.lastIndexOf(':');
            if (colon >= 0) {
                String w = rest.substring(colon + 1).trim();
                try {
                    weight = Double.parseDouble(w);
                    rest = rest.substring(0, colon).trim();
                } catch (NumberFormatException e) {
                    if (!w.startsWith("/") && !w.startsWith("\\")) {
                        throw new IllegalArgumentException("zhyper.ab.arms entry '" + p + "' has a bad weight '" + w + "'");
                    }
                }
            }
            out.add(new ArmSpec(name, rest.isEmpty() ? null : rest, weight));
        }
        if (out.isEmpty()) throw new IllegalArgumentException("zhyper.ab.arms is empty");
        return out;
    }

    /** Bucket in [0, BUCKETS) of a key: first 8 bytes of SHA-256 as unsigned number mod BUCKETS. */
    public static int bucket(String key) {
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (h[i] & 0xff);
        return (int) Long.remainderUnsigned(v, BUCKETS);
    }

    /** The arm of a key (stable). */
    public ArmSpec choose(String key) {
        double point = (bucket(key) + 0.5) / BUCKETS * cumulative[cumulative.length - 1];
        for (int i = 0; i < cumulative.length; i++) {
            if (point < cumulative[i]) return arms.get(i);
        }
        return arms.get(arms.size() - 1);
    }
}
