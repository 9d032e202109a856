package dev.zhyper.lab.suite;

import dev.zhyper.core.data.TrainingExample;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The task-conditioning suite: string tasks whose inputs all come from one shared pool (short lowercase words and
 * letter strings), so that only the task description tells what to do with an input.
 *
 * <p>The task registry is fixed ({@link #tasks()}); an instance made by {@link #generate} adds everything that
 * depends on the seed: the input pool, per-task train/validation/test inputs and the descriptions. The pool is split
 * once into disjoint train, validation and test parts shared by every task, so a test input never occurs in any
 * training example of any task.
 */
public final class TaskSuite {
    /** Every character a prompt, response or description may contain. */
    public static final String ALPHABET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;'?!-";

    public static final long DEFAULT_SEED = 20240611L;
    public static final int DEFAULT_TRAIN = 200;
    public static final int DEFAULT_VALIDATION = 20;
    public static final int DEFAULT_TEST = 40;
    public static final int DESCRIPTIONS_TRAIN = 32;
    public static final int DESCRIPTIONS_HELD_OUT = 8;
    public static final int MIN_INPUT = 3;
    public static final int MAX_INPUT = 6;
    public static final int MAX_OUTPUT = 12;
    /** Sizes of the shared input pool's train / validation / test parts. */
    public static final int POOL_TRAIN = 900;
    public static final int POOL_VALIDATION = 150;
    public static final int POOL_TEST = 250;

    private static final Map<String, Function<String, UnaryOperator<String>>> FAMILIES = new LinkedHashMap<>();
    private static final List<Task> TASKS;

    static {
        FAMILIES.put("first_k", p -> s -> Ops.first(s, Integer.parseInt(p)));
        FAMILIES.put("last_k", p -> s -> Ops.last(s, Integer.parseInt(p)));
        FAMILIES.put("caesar", p -> s -> Ops.caesar(s, Integer.parseInt(p)));
        FAMILIES.put("rotate_left", p -> s -> Ops.rotateLeft(s, Integer.parseInt(p)));
        FAMILIES.put("rotate_right", p -> s -> Ops.rotateRight(s, Integer.parseInt(p)));
        FAMILIES.put("append_letter", p -> s -> Ops.append(s, p));
        FAMILIES.put("prepend_letter", p -> s -> Ops.prepend(s, p));
        TASKS = buildTasks();
    }

    private TaskSuite(long seed, List<String> poolTrain, List<String> poolValidation, List<String> poolTest,
                      Map<String, List<List<String>>> inputs, Descriptions.Generated descriptions) {
        this.seed = seed;
        this.poolTrain = poolTrain;
        this.poolValidation = poolValidation;
        this.poolTest = poolTest;
        this.inputs = inputs;
        this.descriptions = descriptions;
    }

    private final long seed;
    private final List<String> poolTrain;
    private final List<String> poolValidation;
    private final List<String> poolTest;
    /** task → [train inputs, validation inputs, test inputs] */
    private final Map<String, List<List<String>>> inputs;
    private final Descriptions.Generated descriptions;

    // ---------------------------------------------------------------- registry

    private static List<Task> buildTasks() {
        List<Task> t = new ArrayList<>();
        plain(t, "reverse", "reverse", Ops::reverse);
        plain(t, "upper", "case", Ops::upper);
        plain(t, "capitalize", "case", Ops::capitalizeFirst);
        plain(t, "upper_last", "case", Ops::capitalizeLast);
        plain(t, "upper_vowels", "case", Ops::upperVowels);
        for (int k : new int[] {1, 2, 3}) {
            param(t, "first_" + k, "first_k", "" + k);
        }
        for (int k : new int[] {1, 2}) {
            param(t, "last_" + k, "last_k", "" + k);
        }
        plain(t, "sort_asc", "sort", Ops::sortAscending);
        plain(t, "sort_desc", "sort", Ops::sortDescending);
        plain(t, "count_letters", "count", Ops::countLetters);
        plain(t, "count_vowels", "count", Ops::countVowels);
        plain(t, "count_consonants", "count", Ops::countConsonants);
        for (int k : new int[] {1, 2, 3, 5}) {
            param(t, "caesar_" + k, "caesar", "" + k);
        }
        plain(t, "double_letters", "repeat", Ops::doubleLetters);
        param(t, "rotate_left_1", "rotate_left", "1");
        param(t, "rotate_left_3", "rotate_left", "3");
        param(t, "rotate_right_1", "rotate_right", "1");
        param(t, "rotate_right_2", "rotate_right", "2");
        plain(t, "swap_halves", "reorder", Ops::swapHalves);
        plain(t, "remove_vowels", "filter", Ops::removeVowels);
        plain(t, "odd_letters", "filter", Ops::oddPositions);
        plain(t, "even_letters", "filter", Ops::evenPositions);
        plain(t, "duplicate", "repeat", Ops::duplicate);
        param(t, "append_x", "append_letter", "x");
        param(t, "append_a", "append_letter", "a");
        param(t, "prepend_z", "prepend_letter", "z");
        plain(t, "mirror", "repeat", Ops::mirror);
        plain(t, "hyphenate", "spacing", Ops::hyphenate);
        plain(t, "swap_ends", "reorder", Ops::swapEnds);
        compose(t, "sort_upper", false, "sort_asc", "upper");
        compose(t, "reverse_double", false, "reverse", "double_letters");
        compose(t, "remove_vowels_upper", false, "remove_vowels", "upper");

        // held out: new parameter values of seen families ...
        heldParam(t, "caesar_4", "caesar", "4", "interpolation: shift 4 lies between the seen shifts 3 and 5");
        heldParam(t, "first_4", "first_k", "4", "extrapolation: one more letter than the seen first 1, 2 and 3 letters");
        heldParam(t, "last_3", "last_k", "3", "extrapolation: one more letter than the seen last 1 and 2 letters");
        heldParam(t, "rotate_left_2", "rotate_left", "2", "interpolation: rotation 2 lies between the seen left rotations 1 and 3");
        heldParam(t, "append_s", "append_letter", "s", "new value: appending s, where appending x and a were seen");
        // ... and compositions of seen tasks
        compose(t, "reverse_upper", true, "reverse", "upper");
        compose(t, "remove_vowels_reverse", true, "remove_vowels", "reverse");
        compose(t, "first_3_upper", true, "first_3", "upper");
        return List.copyOf(t);
    }

    private static void plain(List<Task> t, String name, String family, UnaryOperator<String> fn) {
        t.add(new Task(name, family, null, false, List.of(), null, fn));
    }

    private static void param(List<Task> t, String name, String family, String p) {
        t.add(new Task(name, family, p, false, List.of(), null, FAMILIES.get(family).apply(p)));
    }

    private static void heldParam(List<Task> t, String name, String family, String p, String why) {
        List<String> seenParams = new ArrayList<>();
        List<String> seenTasks = new ArrayList<>();
        for (Task x : t) {
            if (x.family().equals(family) && !x.heldOut()) {
                seenParams.add(x.param());
                seenTasks.add(x.name());
            }
        }
        Task.Reachability r = new Task.Reachability("parameter", family, p, seenParams, seenTasks,
                "family " + family + " with held-out parameter " + p + " (seen " + String.join(", ", seenParams) + "); " + why);
        t.add(new Task(name, family, p, true, List.of(), r, FAMILIES.get(family).apply(p)));
    }

    private static void compose(List<Task> t, String name, boolean heldOut, String... steps) {
        List<UnaryOperator<String>> fns = new ArrayList<>();
        for (String s : steps) {
            Task x = t.stream().filter(y -> y.name().equals(s)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("unknown step " + s));
            if (x.heldOut()) {
                throw new IllegalStateException("a composition may only use training tasks: " + s);
            }
            fns.add(x.fn());
        }
        UnaryOperator<String> fn = in -> {
            String v = in;
            for (UnaryOperator<String> f : fns) {
                v = f.apply(v);
            }
            return v;
        };
        Task.Reachability r = heldOut ? new Task.Reachability("composition", "composition", null, List.of(), List.of(steps),
                "composition of the seen tasks " + String.join(" then ", steps)) : null;
        t.add(new Task(name, "composition", null, heldOut, List.of(steps), r, fn));
    }

    /** All tasks, training ones first. */
    public static List<Task> tasks() {
        return TASKS;
    }

    public static List<Task> trainingTasks() {
        return TASKS.stream().filter(t -> !t.heldOut()).toList();
    }

    public static List<Task> heldOutTasks() {
        return TASKS.stream().filter(Task::heldOut).toList();
    }

    public static Task task(String name) {
        return TASKS.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no task " + name));
    }

    /** Parametric families: family → (parameter → function). */
    public static Map<String, Function<String, UnaryOperator<String>>> parametricFamilies() {
        return Collections.unmodifiableMap(FAMILIES);
    }


    public static boolean inAlphabet(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (ALPHABET.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- seeded generation

    public static TaskSuite generate(long seed) {
        return generate(seed, DEFAULT_TRAIN, DEFAULT_VALIDATION, DEFAULT_TEST);
    }

    public static TaskSuite generate(long seed, int nTrain, int nValidation, int nTest) {
        if (nTrain > POOL_TRAIN || nValidation > POOL_VALIDATION || nTest > POOL_TEST) {
            throw new IllegalArgumentException("split sizes exceed the pool: at most " + POOL_TRAIN + "/"
                    + POOL_VALIDATION + "/" + POOL_TEST);
        }
        List<String> pool = inputPool(seed);
        List<String> pTrain = pool.subList(0, POOL_TRAIN);
        List<String> pVal = pool.subList(POOL_TRAIN, POOL_TRAIN + POOL_VALIDATION);
        List<String> pTest = pool.subList(POOL_TRAIN + POOL_VALIDATION, pool.size());
        Map<String, List<List<String>>> inputs = new LinkedHashMap<>();
        for (Task t : TASKS) {
            Random r = new Random(seed * 31L + t.name().hashCode());
            inputs.put(t.name(), List.of(sample(pTrain, nTrain, r), sample(pVal, nValidation, r), sample(pTest, nTest, r)));
        }
        Descriptions.Generated d = Descriptions.generate(TASKS, seed, DESCRIPTIONS_TRAIN, DESCRIPTIONS_HELD_OUT);
        return new TaskSuite(seed, List.copyOf(pTrain), List.copyOf(pVal), List.copyOf(pTest),
                Collections.unmodifiableMap(inputs), d);
    }

    private static List<String> sample(List<String> from, int n, Random r) {
        List<String> c = new ArrayList<>(from);
        Collections.shuffle(c, r);
        return List.copyOf(c.subList(0, n));
    }

    /**
     * The shared input pool in its seeded order: every common word of {@link Words} plus random lowercase strings of
     * 3 to 6 letters that contain at least one vowel and one consonant (so no task gives an empty output).
     */
    static List<String> inputPool(long seed) {
        Random r = new Random(seed);
        Set<String> pool = new LinkedHashSet<>(Words.COMMON);
        int size = POOL_TRAIN + POOL_VALIDATION + POOL_TEST;
        while (pool.size() < size) {
            int len = MIN_INPUT + r.nextInt(MAX_INPUT - MIN_INPUT + 1);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < len; i++) {
                b.append((char) ('a' + r.nextInt(26)));
            }
            String s = b.toString();
            String consonants = Ops.removeVowels(s);
            if (!consonants.isEmpty() && consonants.length() < s.length()) {
                pool.add(s);
            }
        }
        List<String> out = new ArrayList<>(pool);
        Collections.shuffle(out, r);
        return List.copyOf(out);
    }

    public long seed() {
        return seed;
    }

    /** The whole shared pool: train part, then validation part, then test part. */
    public List<String> pool() {
        List<String> all = new ArrayList<>(poolTrain);
        all.addAll(poolValidation);
        all.addAll(poolTest);
        return all;
    }

    public List<String> poolTrain() {
        return poolTrain;
    }

    public List<String> poolValidation() {
        return poolValidation;
    }

    public List<String> poolTest() {
        return poolTest;
    }

    public List<String> trainInputs(String task) {
        return inputs.get(task).get(0);
    }

    public List<String> validationInputs(String task) {
        return inputs.get(task).get(1);
    }

    public List<String> testInputs(String task) {
        return inputs.get(task).get(2);
    }

    /** Training examples: training tasks only, task by task in registry order. */
    public List<TrainingExample> train() {
        List<TrainingExample> out = new ArrayList<>();
        for (Task t : trainingTasks()) {
            trainInputs(t.name()).forEach(in -> out.add(new TrainingExample(t.name(), in, t.apply(in))));
        }
        return out;
    }

    /** Validation examples of every task, held-out ones included. */
    public List<TrainingExample> validation() {
        List<TrainingExample> out = new ArrayList<>();
        for (Task t : TASKS) {
            validationInputs(t.name()).forEach(in -> out.add(new TrainingExample(t.name(), in, t.apply(in))));
        }
        return out;
    }

    /** Test examples of every task, held-out ones included. */
    public List<TrainingExample> test() {
        List<TrainingExample> out = new ArrayList<>();
        for (Task t : TASKS) {
            testInputs(t.name()).forEach(in -> out.add(new TrainingExample(t.name(), in, t.apply(in))));
        }
        return out;
    }

    /** Task → training descriptions (every task, held-out tasks included). */
    public Map<String, List<String>> trainDescriptions() {
        return descriptions.train();
    }

    /** Task → held-out descriptions (every task). */
    public Map<String, List<String>> heldOutDescriptions() {
        return descriptions.heldOut();
    }
}
