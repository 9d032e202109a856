package dev.zhyper.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package graph of every module's main sources (imports between {@code dev.zhyper} packages): no cycles, no
 * service depends on the lab (suite, experiments, accuracy benchmarks), only the trainer service, the lab and the
 * command line depend on training, and every package documents itself in a package-info.java.
 */
class PackageGraphTest {

    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(dev\\.zhyper\\.[\\w.]+);",
            Pattern.MULTILINE);

    /** Package → packages it imports from, over all modules' src/main/java. */
    static Map<String, Set<String>> graph() {
        Map<String, Set<String>> g = new TreeMap<>();
        for (Path src : mainSourceRoots()) {
            try (Stream<Path> files = Files.walk(src)) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                    String text = read(f);
                    Matcher pm = PACKAGE.matcher(text);
                    if (!pm.find()) return;
                    String pkg = pm.group(1);
                    Set<String> out = g.computeIfAbsent(pkg, k -> new TreeSet<>());
                    Matcher im = IMPORT.matcher(text);
                    while (im.find()) {
                        String target = packageOf(im.group(1));
                        if (!target.equals(pkg)) out.add(target);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return g;
    }

    @Test
    void noImportCyclesBetweenPackages() {
        Map<String, Set<String>> g = graph();
        assertTrue(g.size() > 20, "packages found: " + g.keySet());
        List<List<String>> cycles = stronglyConnected(g).stream().filter(c -> c.size() > 1).toList();
        assertEquals(List.of(), cycles, "package cycles (each list imports itself around)");
    }

    /** Only the command line (and, in test scope, the end-to-end tests) may use the research harness. */
    @Test
    void onlyTheCommandLineUsesTheLab() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (Path src : mainSourceRoots()) {
            String module = Manifests.root().relativize(src).getName(0).toString();
            if (module.equals("lab") || module.equals("cli")) continue;
            try (Stream<Path> files = Files.walk(src)) {
                files.filter(f -> f.toString().endsWith(".java"))
                        .filter(f -> IMPORT.matcher(read(f)).results().anyMatch(m -> m.group(1).startsWith("dev.zhyper.lab.")))
                        .forEach(f -> offenders.add(Manifests.root().relativize(f).toString()));
            }
        }
        try (Stream<Path> poms = Files.list(Manifests.root())) {
            poms.map(m -> m.resolve("pom.xml")).filter(Files::isRegularFile)
                    .filter(p -> !Set.of("lab", "cli", "e2e").contains(p.getParent().getFileName().toString()))
                    .filter(p -> !p.getParent().equals(Manifests.root()))
                    .filter(p -> read(p).contains("<artifactId>zhyper-lab</artifactId>"))
                    .forEach(p -> offenders.add(Manifests.root().relativize(p).toString()));
        }
        assertTrue(graph().keySet().stream().anyMatch(p -> p.startsWith("dev.zhyper.lab.")), "the lab's packages");
        assertEquals(List.of(), offenders, "modules other than cli and e2e that use zhyper-lab");
    }

    /** Modules that may use the training module (optimizer, trainer, schedules); the serving services may not. */
    static final Set<String> TRAINING_USERS = Set.of("training", "trainer-service", "lab", "cli", "e2e");

    /**
     * Only the trainer service, the lab and the command line (and the e2e tests) use the training module: no other
     * module's sources, main or test, import {@code dev.zhyper.training}, and no other module's pom reaches
     * {@code zhyper-training}, directly or through another module of the reactor, in any scope.
     */
    @Test
    void onlyTheTrainerLabAndCommandLineUseTraining() throws IOException {
        List<String> offenders = new ArrayList<>();
        Map<String, Set<String>> modules = moduleDependencies();
        assertTrue(modules.containsKey("training") && modules.containsKey("generator-service"), "modules: " + modules.keySet());
        for (String module : modules.keySet()) {
            if (TRAINING_USERS.contains(module)) continue;
            if (reaches(modules, module, "training")) offenders.add(module + "/pom.xml");
            for (String kind : List.of("src/main/java", "src/test/java")) {
                Path src = Manifests.root().resolve(module).resolve(kind);
                if (!Files.isDirectory(src)) continue;
                try (Stream<Path> files = Files.walk(src)) {
                    files.filter(f -> f.toString().endsWith(".java"))
                            .filter(f -> IMPORT.matcher(read(f)).results()
                                    .anyMatch(m -> m.group(1).startsWith("dev.zhyper.training.")))
                            .forEach(f -> offenders.add(Manifests.root().relativize(f).toString()));
                }
            }
        }
        assertTrue(graph().containsKey("dev.zhyper.training"), "the training package");
        assertTrue(reaches(modules, "trainer-service", "training"), "trainer-service uses training");
        assertEquals(List.of(), offenders,
                "modules other than " + new TreeSet<>(TRAINING_USERS) + " that use zhyper-training");
    }

    @Test
    void reachesFollowsDependenciesThroughOtherModules() {
        Map<String, Set<String>> g = Map.of("generator-service", Set.of("service-common"),
                "service-common", Set.of("core", "training"), "training", Set.of("core"), "core", Set.of(),
                "a", Set.of("b"), "b", Set.of("a"));
        assertTrue(reaches(g, "generator-service", "training"));
        assertTrue(!reaches(g, "training", "service-common"));
        assertTrue(!reaches(g, "a", "core"), "a cycle ends the walk");
    }

    private static final Pattern DEPENDENCY = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);
    private static final Pattern ARTIFACT_ID = Pattern.compile("<artifactId>([\\w.-]+)</artifactId>");
    private static final Pattern DEPENDENCY_ID =
            Pattern.compile("^\\s*<groupId>dev\\.zhyper</groupId>\\s*<artifactId>([\\w.-]+)</artifactId>");

    /**
     * Module directory → the module directories its pom depends on (every scope), over the reactor's poms: a
     * dependency {@code dev.zhyper:X} is the module whose pom declares artifactId X.
     */
    static Map<String, Set<String>> moduleDependencies() throws IOException {
        Map<String, String> dirOfArtifact = new HashMap<>();
        Map<String, List<String>> declared = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(Manifests.root())) {
            for (Path pom : dirs.map(d -> d.resolve("pom.xml")).filter(Files::isRegularFile).toList()) {
                String dir = pom.getParent().getFileName().toString();
                String text = read(pom).replaceAll("(?s)<!--.*?-->", "");
                String own = text.replaceFirst("(?s)<parent>.*?</parent>", "");
                Matcher id = ARTIFACT_ID.matcher(own);
                if (id.find()) dirOfArtifact.put(id.group(1), dir);
                List<String> deps = new ArrayList<>();
                Matcher dm = DEPENDENCY.matcher(text);
                while (dm.find()) {
                    Matcher d = DEPENDENCY_ID.matcher(dm.group(1));
                    if (d.find()) deps.add(d.group(1));
                }
                declared.put(dir, deps);
            }
        }
        Map<String, Set<String>> out = new TreeMap<>();
        declared.forEach((dir, deps) -> out.put(dir, new TreeSet<>(deps.stream()
                .map(dirOfArtifact::get).filter(java.util.Objects::nonNull).toList())));
        return out;
    }

    /** Whether {@code from} depends on {@code to}, directly or through other modules. */
    static boolean reaches(Map<String, Set<String>> g, String from, String to) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(g.getOrDefault(from, Set.of()));
        while (!todo.isEmpty()) {
            String m = todo.pop();
            if (m.equals(to)) return true;
            if (seen.add(m)) todo.addAll(g.getOrDefault(m, Set.of()));
        }
        return false;
    }

    @Test
    void cycleDetectionFindsACycle() {
        Map<String, Set<String>> g = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        assertEquals(List.of(List.of("a", "b", "c")),
                stronglyConnected(g).stream().filter(c -> c.size() > 1).toList());
    }

    @Test
    void everyPackageHasPackageInfo() {
        List<String> missing = new ArrayList<>();
        for (Path src : mainSourceRoots()) {
            try (Stream<Path> dirs = Files.walk(src)) {
                dirs.filter(Files::isDirectory).filter(PackageGraphTest::hasJava)
                        .filter(d -> !Files.exists(d.resolve("package-info.java")))
                        .forEach(d -> missing.add(Manifests.root().relativize(d).toString()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertEquals(List.of(), missing, "packages without package-info.java");
    }

    private static boolean hasJava(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> mainSourceRoots() {
        try (Stream<Path> modules = Files.list(Manifests.root())) {
            return modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The package part of an imported name: the segments before the first capitalised one. */
    static String packageOf(String name) {
        List<String> parts = new ArrayList<>();
        for (String s : name.split("\\.")) {
            if (Character.isUpperCase(s.charAt(0))) break;
            parts.add(s);
        }
        return String.join(".", parts);
    }

    /** Tarjan's strongly connected components (iterative), each sorted. */
    static List<List<String>> stronglyConnected(Map<String, Set<String>> g) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<List<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String root : new TreeSet<>(g.keySet())) {
            if (index.containsKey(root)) continue;
            Deque<Map.Entry<String, java.util.Iterator<String>>> work = new ArrayDeque<>();
            visit(root, g, index, low, stack, onStack, counter, work);
            while (!work.isEmpty()) {
                var top = work.peek();
                String v = top.getKey();
                if (top.getValue().hasNext()) {
                    String w = top.getValue().next();
                    if (!index.containsKey(w)) {
                        visit(w, g, index, low, stack, onStack, counter, work);
                    } else if (onStack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                } else {
                    work.pop();
                    if (!work.isEmpty()) {
                        String parent = work.peek().getKey();
                        low.put(parent, Math.min(low.get(parent), low.get(v)));
                    }
                    if (low.get(v).equals(index.get(v))) {
                        List<String> comp = new ArrayList<>();
                        String w;
                        do {
                            w = stack.pop();
                            onStack.remove(w);
                            comp.add(w);
                        } while (!w.equals(v));
                        comp.sort(null);
                        out.add(comp);
                    }
                }
            }
        }
        return out;
    }

    private static void visit(String v, Map<String, Set<String>> g, Map<String, Integer> index,
                              Map<String, Integer> low, Deque<String> stack, Set<String> onStack, int[] counter,
                              Deque<Map.Entry<String, java.util.Iterator<String>>> work) {
        index.put(v, counter[0]);
        low.put(v, counter[0]);
        counter[0]++;
        stack.push(v);
        onStack.add(v);
        work.push(Map.entry(v, new TreeSet<>(g.getOrDefault(v, Set.of())).iterator()));
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
