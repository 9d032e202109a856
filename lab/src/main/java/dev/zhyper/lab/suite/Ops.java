package dev.zhyper.lab.suite;

import java.util.Arrays;

/** The string operations behind the suite's tasks. Inputs are lowercase ASCII letters; every function is total on them. */
public final class Ops {
    private Ops() {}

    public static final String VOWELS = "aeiou";

    public static boolean isVowel(char c) {
        return VOWELS.indexOf(Character.toLowerCase(c)) >= 0;
    }

    public static String reverse(String s) {
        return new StringBuilder(s).reverse().toString();
    }

    public static String upper(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c >= 'a' && c <= 'z' ? (char) (c - 32) : c);
        }
        return b.toString();
    }

    public static String capitalizeFirst(String s) {
        return s.isEmpty() ? s : upper(s.substring(0, 1)) + s.substring(1);
    }

    public static String capitalizeLast(String s) {
        return s.isEmpty() ? s : s.substring(0, s.length() - 1) + upper(s.substring(s.length() - 1));
    }

    public static String upperVowels(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(isVowel(c) ? upper(String.valueOf(c)) : String.valueOf(c));
        }
        return b.toString();
    }

    /** The first k letters, or the whole string when it is shorter. */
    public static String first(String s, int k) {
        return s.substring(0, Math.min(k, s.length()));
    }

    /** The last k letters, or the whole string when it is shorter. */
    public static String last(String s, int k) {
        return s.substring(Math.max(0, s.length() - k));
    }

    public static String sortAscending(String s) {
        char[] c = s.toCharArray();
        Arrays.sort(c);
        return new String(c);
    }

    public static String sortDescending(String s) {
        return reverse(sortAscending(s));
    }

    public static String countLetters(String s) {
        return Integer.toString(s.length());
    }

    public static String countVowels(String s) {
        int n = 0;
        for (char c : s.toCharArray()) {
            n += isVowel(c) ? 1 : 0;
        }
        return Integer.toString(n);
    }

    public static String countConsonants(String s) {
        int n = 0;
        for (char c : s.toCharArray()) {
            n += Character.isLetter(c) && !isVowel(c) ? 1 : 0;
        }
        return Integer.toString(n);
    }

    /** Shifts each lowercase letter k places forward, wrapping from z to a. */
    public static String caesar(String s, int k) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c >= 'a' && c <= 'z' ? (char) ('a' + Math.floorMod(c - 'a' + k, 26)) : c);
        }
        return b.toString();
    }

    public static String doubleLetters(String s) {
        StringBuilder b = new StringBuilder(2 * s.length());
        for (char c : s.toCharArray()) {
            b.append(c).append(c);
        }
        return b.toString();
    }

    /** Moves the first k letters (k taken modulo the length) to the end. */
    public static String rotateLeft(String s, int k) {
        if (s.isEmpty()) {
            return s;
        }
        int r = Math.floorMod(k, s.length());
        return s.substring(r) + s.substring(0, r);
    }

    /** Moves the last k letters (k taken modulo the length) to the front. */
    public static String rotateRight(String s, int k) {
        return s.isEmpty() ? s : rotateLeft(s, s.length() - Math.floorMod(k, s.length()));
    }

    /** Front half = first floor(n/2) letters; the back half (which gets the middle letter) is written first. */
    public static String swapHalves(String s) {
        int h = s.length() / 2;
        return s.substring(h) + s.substring(0, h);
    }

    public static String removeVowels(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (!isVowel(c)) {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Letters at positions 1, 3, 5, ... (counting from 1). */
    public static String oddPositions(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i += 2) {
            b.append(s.charAt(i));
        }
        return b.toString();
    }

    /** Letters at positions 2, 4, 6, ... (counting from 1). */
    public static String evenPositions(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < s.length(); i += 2) {
            b.append(s.charAt(i));
        }
        return b.toString();
    }

    public static String duplicate(String s) {
        return s + s;
    }

    public static String append(String s, String letter) {
        return s + letter;
    }

    public static String prepend(String s, String letter) {
        return letter + s;
    }

    public static String mirror(String s) {
        return s + reverse(s);
    }

    public static String hyphenate(String s) {
        return String.join("-", s.split(""));
    }

    public static String swapEnds(String s) {
        if (s.length() < 2) {
            return s;
        }
        return s.charAt(s.length() - 1) + s.substring(1, s.length() - 1) + s.charAt(0);
    }
}
