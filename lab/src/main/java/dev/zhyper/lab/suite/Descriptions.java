package dev.zhyper.lab.suite;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Builds the natural-language descriptions of every task from a small grammar: sentence frames (short commands,
 * medium requests, long explanations, indirect questions) filled with the hand-written parts of {@link PhraseBook}.
 * The candidates of a task are de-duplicated case-insensitively against every description already given to any
 * task, then a seeded, style-balanced pick chooses the task's descriptions and splits them into training and
 * held-out sets (the held-out set takes an equal share of every style).
 */
public final class Descriptions {
    private Descriptions() {}

    public enum Style { SHORT, MEDIUM, LONG, INDIRECT }

    /** Ways to name the input. */
    static final List<String> OBJECTS = List.of("word", "string", "letter string", "sequence of letters", "text");

    record Frame(String id, Style style, String template) {}

    private static Frame f(String id, Style s, String t) {
        return new Frame(id, s, t);
    }

    /** Frames of a single task. Placeholders: {cmd} {Cmd} {np} {ask} {ask_lc} {expl} {Expl} {obj} {a_obj}. */
    static final List<Frame> BASE_FRAMES = List.of(
            f("s1", Style.SHORT, "{Cmd}."),
            f("s2", Style.SHORT, "Please {cmd}."),
            f("s3", Style.SHORT, "{Cmd}, nothing else."),
            f("s4", Style.SHORT, "Just {cmd}."),
            f("s5", Style.SHORT, "Task: {cmd}."),
            f("m1", Style.MEDIUM, "Given {a_obj}, {cmd}."),
            f("m2", Style.MEDIUM, "Here is {a_obj}. {Cmd}."),
            f("m3", Style.MEDIUM, "Your task is to {cmd}."),
            f("m4", Style.MEDIUM, "I need you to {cmd}."),
            f("m5", Style.MEDIUM, "Can you {cmd}?"),
            f("m6", Style.MEDIUM, "Could you please {cmd}?"),
            f("m7", Style.MEDIUM, "Output {np}."),
            f("m8", Style.MEDIUM, "Respond with {np}."),
            f("m9", Style.MEDIUM, "Write down {np}."),
            f("m10", Style.MEDIUM, "Return {np} and nothing more."),
            f("m11", Style.MEDIUM, "Input: {a_obj}. Output: {np}."),
            f("m12", Style.MEDIUM, "{Cmd} and reply with only the result."),
            f("l1", Style.LONG, "You will be given a short {obj}. Your job is to {expl}."),
            f("l2", Style.LONG, "Each input is a short {obj} in lowercase. {Expl}, and reply with the result only."),
            f("l3", Style.LONG, "Look at the {obj} you receive. {Cmd}, then write the result on its own without any explanation."),
            f("l4", Style.LONG, "In this exercise you get one {obj} at a time; for each one, {expl}."),
            f("l5", Style.LONG, "The input is {a_obj}. I would like you to {expl}, and to answer with just that."),
            f("l6", Style.LONG, "Consider the {obj} you are given. {Expl}; do not add anything else to your answer."),
            f("l7", Style.LONG, "For every {obj} I send you, {expl}. Keep the answer short: no spaces around it and no comments."),
            f("i1", Style.INDIRECT, "{ask}"),
            f("i2", Style.INDIRECT, "Quick question: {ask_lc}"),
            f("i3", Style.INDIRECT, "Here is a little puzzle. {ask}"),
            f("i4", Style.INDIRECT, "Think about the {obj} for a moment. {ask}"),
            f("i5", Style.INDIRECT, "What is {np}?"),
            f("i6", Style.INDIRECT, "I am curious: {ask_lc}"));

    /** Frames of a composition of two tasks A then B. Placeholders: {cmdA} {CmdA} {explA} {stepB} {obj} {a_obj}. */
    static final List<Frame> COMPOSITION_FRAMES = List.of(
            f("cs1", Style.SHORT, "{CmdA}, then {stepB}."),
            f("cs2", Style.SHORT, "{CmdA} and {stepB}."),
            f("cs3", Style.SHORT, "{CmdA}; then {stepB}."),
            f("cm1", Style.MEDIUM, "First {cmdA}; after that, {stepB}."),
            f("cm2", Style.MEDIUM, "{CmdA}. Then {stepB}."),
            f("cm3", Style.MEDIUM, "Please {cmdA}, and then {stepB}."),
            f("cm4", Style.MEDIUM, "Do two things in order: {cmdA}, and then {stepB}."),
            f("cm5", Style.MEDIUM, "Two steps: {cmdA}. Next, {stepB}."),
            f("cm6", Style.MEDIUM, "Given {a_obj}, {cmdA} and then {stepB}."),
            f("cl1", Style.LONG, "You will be given a short {obj}. Your job is to {explA}, and after that to {stepB}."),
            f("cl2", Style.LONG, "Each input is a short {obj} in lowercase. Start by doing this: {cmdA}. When that is done, {stepB}, and reply with the final result only."),
            f("cl3", Style.LONG, "This is a two-step transformation. Step one: {cmdA}. Step two: {stepB}. Write only what comes out of step two."),
            f("ci1", Style.INDIRECT, "What do you get if you {cmdA} and then {stepB}?"),
            f("ci2", Style.INDIRECT, "Suppose you {cmdA} and afterwards {stepB}. What is the result?"),
            f("ci3", Style.INDIRECT, "If you were to {cmdA} and then {stepB}, what would you end up with?"));

    record Candidate(String text, String frame, Style style, String core, String obj) {}

    /** The descriptions of all tasks: training and held-out sets, in task registry order. */
    public record Generated(Map<String, List<String>> train, Map<String, List<String>> heldOut) {}

    public static Generated generate(List<Task> tasks, long seed, int perTaskTrain, int perTaskHeldOut) {
        Map<String, Task> byName = new HashMap<>();
        tasks.forEach(t -> byName.put(t.name(), t));
        Set<String> used = new java.util.HashSet<>();
        Map<String, List<String>> train = new LinkedHashMap<>();
        Map<String, List<String>> held = new LinkedHashMap<>();
        for (Task t : tasks) {
            List<Candidate> cands = candidates(t, byName);
            Random rng = new Random(seed * 1_000_003L + t.name().hashCode());
            Collections.shuffle(cands, rng);
            List<List<String>> split = pick(t.name(), cands, used, rng, perTaskTrain, perTaskHeldOut);
            train.put(t.name(), split.get(0));
            held.put(t.name(), split.get(1));
        }
        return new Generated(Collections.unmodifiableMap(train), Collections.unmodifiableMap(held));
    }

    static Style classify(String text) {
        if (text.endsWith("?")) {
            return Style.INDIRECT;
        }
        if (text.length() < 45) {
            return Style.SHORT;
        }
        return text.length() > 95 ? Style.LONG : Style.MEDIUM;
    }

    static List<Candidate> candidates(Task t, Map<String, Task> byName) {
        List<Candidate> out = new ArrayList<>();
        if (t.isComposition()) {
            if (t.steps().size() != 2) {
                throw new IllegalStateException("compositions of two steps are supported: " + t.name());
            }
            PhraseBook.Parts a = partsOf(byName.get(t.steps().get(0)));
            PhraseBook.Parts b = partsOf(byName.get(t.steps().get(1)));
            for (Frame fr : COMPOSITION_FRAMES) {
                boolean useExpl = fr.template().contains("{explA}");
                List<String> firsts = useExpl ? a.expls : a.cmds;
                for (int i = 0; i < firsts.size(); i++) {
                    for (int j = 0; j < b.steps.size(); j++) {
                        String s = fr.template()
                                .replace("{cmdA}", firsts.get(i)).replace("{CmdA}", cap(firsts.get(i)))
                                .replace("{explA}", firsts.get(i)).replace("{stepB}", b.steps.get(j));
                        addWithObjects(out, s, fr.id(), fr.style(), (useExpl ? "e" : "c") + i + "/" + j);
                    }
                }
            }
            List<String> extras = PhraseBook.compositionExtras(t.name());
            for (int i = 0; i < extras.size(); i++) {
                addWithObjects(out, extras.get(i), "x" + i, null, "x" + i);
            }
            return out;
        }
        PhraseBook.Parts p = partsOf(t);
        for (Frame fr : BASE_FRAMES) {
            String tpl = fr.template();
            String kind;
            List<String> parts;
            if (tpl.contains("{cmd}") || tpl.contains("{Cmd}")) {
                kind = "c";
                parts = p.cmds;
            } else if (tpl.contains("{np}")) {
                kind = "n";
                parts = p.nps;
            } else if (tpl.contains("{ask}") || tpl.contains("{ask_lc}")) {
                kind = "a";
                parts = p.asks;
            } else {
                kind = "e";
                parts = p.expls;
            }
            for (int i = 0; i < parts.size(); i++) {
                String x = parts.get(i);
                String s = tpl.replace("{cmd}", x).replace("{Cmd}", cap(x)).replace("{np}", x).replace("{ask}", x).replace("{ask_lc}", decap(x))
                        .replace("{expl}", x).replace("{Expl}", cap(x));
                addWithObjects(out, s, fr.id(), fr.style(), kind + i);
            }
        }
        for (int i = 0; i < p.extras.size(); i++) {
            addWithObjects(out, p.extras.get(i), "x" + i, null, "x" + i);
        }
        return out;
    }

    private static PhraseBook.Parts partsOf(Task t) {
        return PhraseBook.parts(t.param() != null ? t.family() : t.name(), t.param());
    }

    private static void addWithObjects(List<Candidate> out, String template, String frame, Style style, String core) {
        Set<String> seen = new LinkedHashSet<>();
        for (String obj : OBJECTS) {
            if (style == Style.SHORT && obj.contains(" ")) {
                continue; // short commands name the input briefly
            }
            String s = template.replace("{a_obj}", article(obj) + " " + obj).replace("{obj}", obj);
            if (seen.add(s)) {
                out.add(new Candidate(s, frame, style != null ? style : classify(s), core, obj));
            }
        }
    }

    static String article(String noun) {
        return "aeiou".indexOf(noun.charAt(0)) >= 0 ? "an" : "a";
    }

    /** Lowercases the first letter unless the sentence starts with the pronoun I. */
    static String decap(String s) {
        return s.startsWith("I ") || s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    static String cap(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Style-balanced greedy pick; returns [train, heldOut]. */
    private static List<List<String>> pick(String task, List<Candidate> cands, Set<String> used, Random rng,
                                           int nTrain, int nHeld) {
        int total = nTrain + nHeld;
        Style[] styles = Style.values();
        // shares of the whole set: 20% short, 35% medium, 25% long, 20% indirect
        double[] share = {0.20, 0.35, 0.25, 0.20};
        int[] target = new int[styles.length];
        int assigned = 0;
        for (int i = 0; i < styles.length; i++) {
            target[i] = (int) Math.round(share[i] * total);
            assigned += target[i];
        }
        target[1] += total - assigned;
        Map<String, Integer> frameUse = new HashMap<>();
        Map<String, Integer> coreUse = new HashMap<>();
        Map<String, Integer> objUse = new HashMap<>();
        List<List<String>> chosenByStyle = new ArrayList<>();
        Set<String> mine = new java.util.HashSet<>();
        int deficit = 0;
        for (int si = 0; si < styles.length; si++) {
            List<String> chosen = new ArrayList<>();
            int want = target[si];
            while (chosen.size() < want) {
                Candidate best = best(cands, styles[si], used, mine, frameUse, coreUse, objUse);
                if (best == null) {
                    break;
                }
                take(best, chosen, used, mine, frameUse, coreUse, objUse);
            }
            deficit += want - chosen.size();
            chosenByStyle.add(chosen);
        }
        // fill any shortfall from any style
        while (deficit > 0) {
            Candidate best = best(cands, null, used, mine, frameUse, coreUse, objUse);
            if (best == null) {
                throw new IllegalStateException("not enough distinct descriptions for task " + task);
            }
            take(best, chosenByStyle.get(best.style().ordinal()), used, mine, frameUse, coreUse, objUse);
            deficit--;
        }
        // held-out: an equal share of every style (as far as available), chosen at random
        List<String> train = new ArrayList<>();
        List<String> held = new ArrayList<>();
        int perStyle = nHeld / styles.length;
        for (List<String> group : chosenByStyle) {
            List<String> g = new ArrayList<>(group);
            Collections.shuffle(g, rng);
            int h = Math.min(perStyle, g.size());
            held.addAll(g.subList(0, h));
            train.addAll(g.subList(h, g.size()));
        }
        while (held.size() < nHeld) {
            held.add(train.remove(rng.nextInt(train.size())));
        }
        while (held.size() > nHeld) {
            train.add(held.remove(held.size() - 1));
        }
        Collections.shuffle(train, rng);
        Collections.shuffle(held, rng);
        return List.of(List.copyOf(train), List.copyOf(held));
    }

    private static Candidate best(List<Candidate> cands, Style style, Set<String> used, Set<String> mine,
                                  Map<String, Integer> frameUse, Map<String, Integer> coreUse, Map<String, Integer> objUse) {
        Candidate best = null;
        int bestScore = Integer.MAX_VALUE;
        for (Candidate c : cands) {
            if (style != null && c.style() != style) {
                continue;
            }
            String key = c.text().toLowerCase(Locale.ROOT);
            if (used.contains(key) || mine.contains(key)) {
                continue;
            }
            int score = 16 * frameUse.getOrDefault(c.frame(), 0) + 4 * coreUse.getOrDefault(c.core(), 0)
                    + objUse.getOrDefault(c.obj(), 0);
            if (score < bestScore) {
                bestScore = score;
                best = c;
            }
        }
        return best;
    }

    private static void take(Candidate c, List<String> chosen, Set<String> used, Set<String> mine,
                             Map<String, Integer> frameUse, Map<String, Integer> coreUse, Map<String, Integer> objUse) {
        String key = c.text().toLowerCase(Locale.ROOT);
        used.add(key);
        mine.add(key);
        chosen.add(c.text());
        frameUse.merge(c.frame(), 1, Integer::sum);
        coreUse.merge(c.core(), 1, Integer::sum);
        objUse.merge(c.obj(), 1, Integer::sum);
    }
}
