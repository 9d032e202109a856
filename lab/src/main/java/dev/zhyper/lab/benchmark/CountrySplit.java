package dev.zhyper.lab.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which countries were held out of adapter training ("unseen") and which were trained on ("seen"), so CulturalBench
 * results are reported for both separately. Deterministic: a seeded shuffle of the sorted country list, or an
 * explicit list file.
 */
public record CountrySplit(Set<String> seen, Set<String> unseen) {
    public static final String SEEN = "seen";
    public static final String UNSEEN = "unseen";

    public CountrySplit {
        seen = Collections.unmodifiableSet(new TreeSet<>(seen));
        unseen = Collections.unmodifiableSet(new TreeSet<>(unseen));
    }

    /**
     * Sorts the distinct countries, shuffles them with {@code new Random(seed)} and holds out the first
     * {@code round(fraction · n)} (at least one when the fraction is positive).
     */
    public static CountrySplit bySeed(Collection<String> countries, long seed, double unseenFraction) {
        if (!(unseenFraction >= 0 && unseenFraction <= 1)) {
            throw new IllegalArgumentException("unseen fraction must be in [0, 1], got " + unseenFraction);
        }
        List<String> sorted = new ArrayList<>(new TreeSet<>(countries));
        Collections.shuffle(sorted, new Random(seed));
        int k = (int) Math.round(unseenFraction * sorted.size());
        if (unseenFraction > 0 && k == 0 && !sorted.isEmpty()) {
            k = 1;
        }
        return new CountrySplit(Set.copyOf(sorted.subList(k, sorted.size())), Set.copyOf(sorted.subList(0, k)));
    }

    /**
     * The unseen countries listed in {@code file} (one per line, blank lines and {@code #} comments ignored); every
     * other country is seen.
     *
     * @throws BenchmarkException naming the file and line of a country that does not occur in the data
     */
    public static CountrySplit fromFile(Path file, Collection<String> countries) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new BenchmarkException(file + ": cannot read the unseen-country list: " + e.getMessage(), e);
        }
        Set<String> all = new TreeSet<>(countries);
        Set<String> unseen = new TreeSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String c = lines.get(i).strip();
            if (c.isEmpty() || c.startsWith("#")) {
                continue;
            }
            if (!all.contains(c)) {
                throw new BenchmarkException(file + ":" + (i + 1) + ": country '" + c + "' does not occur in the data");
            }
            unseen.add(c);
        }
        Set<String> seen = new TreeSet<>(all);
        seen.removeAll(unseen);
        return new CountrySplit(seen, unseen);
    }

    public String subsetOf(String country) {
        return unseen.contains(country) ? UNSEEN : SEEN;
    }
}
