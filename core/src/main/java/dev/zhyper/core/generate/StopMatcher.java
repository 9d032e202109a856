package dev.zhyper.core.generate;

import java.util.List;

/**
 * Finds stop strings in text as it grows, incrementally (Knuth–Morris–Pratt per stop string): each appended
 * character costs O(number of stops), however long the text or the stop strings, so matching stays cheap on the
 * shared decode thread.
 */
final class StopMatcher {
    private final String[] stops;
    private final int[][] failure;
    private final int[] state;

    StopMatcher(List<String> stopStrings) {
        stops = stopStrings.stream().filter(s -> !s.isEmpty()).toArray(String[]::new);
        failure = new int[stops.length][];
        state = new int[stops.length];
        for (int i = 0; i < stops.length; i++) {
            failure[i] = failure(stops[i]);
        }
    }

    private static int[] failure(String s) {
        int[] f = new int[s.length()];
        for (int i = 1, k = 0; i < s.length(); i++) {
            while (k > 0 && s.charAt(i) != s.charAt(k)) {
                k = f[k - 1];
            }
            if (s.charAt(i) == s.charAt(k)) {
                k++;
            }
            f[i] = k;
        }
        return f;
    }

    /**
     * Feeds text[from, text.length()); returns the index where the first completed stop string starts, or -1.
     * After a match the matcher must not be fed again.
     */
    int feed(CharSequence text, int from) {
        for (int p = from; p < text.length(); p++) {
            char c = text.charAt(p);
            int best = -1;
            for (int i = 0; i < stops.length; i++) {
                String s = stops[i];
                int k = state[i];
                while (k > 0 && c != s.charAt(k)) {
                    k = failure[i][k - 1];
                }
                if (c == s.charAt(k)) {
                    k++;
                }
                if (k == s.length()) {
                    int at = p - s.length() + 1;
                    if (best < 0 || at < best) {
                        best = at;
                    }
                    k = failure[i][k - 1];
                }
                state[i] = k;
            }
            if (best >= 0) {
                return best;
            }
        }
        return -1;
    }

    /** Length of the longest text suffix that is a proper prefix of some stop string (held back from streaming). */
    int pending() {
        int best = 0;
        for (int k : state) {
            best = Math.max(best, k);
        }
        return best;
    }
}
