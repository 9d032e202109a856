package dev.zhyper.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.yaml.snakeyaml.Yaml;

/** Loading helpers: the repository's deployment files and the services' configuration, read as plain data. */
final class Manifests {

    private Manifests() {}

    /** The four services (directory = artifactId = compose service = k8s Deployment/Service name). */
    static final List<String> SERVICES = List.of("embedder-service", "hypernet-service", "generator-service",
            "trainer-service");

    /**
     * Environment names that are not Quarkus forms of a key in a service's application.properties, each with its
     * reason. Keep this short: everything else must map to a key the service documents.
     */
    static final Map<String, String> EXTRA_ENV = Map.of(
            // read by run-java.sh of the UBI OpenJDK runtime base image that Quarkus' Jib build uses
            "JAVA_MAX_MEM_RATIO", "heap share of the container memory (base image launcher); libtorch memory is off-heap",
            // read by DJL: where it extracts libtorch / tokenizers natives (the /tmp emptyDir: read-only root filesystem)
            "DJL_CACHE_DIR", "DJL's native-library cache, on the writable /tmp of a read-only root filesystem");

    /**
     * Keys every service that has a cache ({@code zhyper.cache.mode} in its properties) accepts although its
     * application.properties need not list them: read by service-common's {@code ZhyperCaches.fromConfig}.
     */
    static final Set<String> CACHE_KEYS = Set.of("zhyper.cache.remote.servers", "zhyper.cache.remote.username",
            "zhyper.cache.remote.password", "zhyper.cache.remote.tls.enabled", "zhyper.cache.remote.tls.trust-store",
            "zhyper.cache.remote.tls.trust-store-password", "zhyper.cache.remote.tls.trust-store-type",
            "zhyper.cache.remote.tls.sni-host-name");

    static Path root() {
        String p = System.getProperty("zhyper.repo.root");
        Path r = p != null ? Path.of(p) : Path.of("..");
        return r.toAbsolutePath().normalize();
    }

    static String projectVersion() {
        return Objects.requireNonNull(System.getProperty("zhyper.project.version"), "zhyper.project.version");
    }

    static Path applicationProperties(String service) {
        return root().resolve(service).resolve("src/main/resources/application.properties");
    }

    /** All YAML documents of a file (multi-document), empty documents dropped. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> yamlDocuments(Path file) {
        try (Reader r = Files.newBufferedReader(file)) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Object doc : new Yaml().loadAll(r)) {
                if (doc == null) continue;
                if (!(doc instanceof Map)) throw new AssertionError(file + ": a document is not a mapping: " + doc);
                out.add((Map<String, Object>) doc);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    static List<Path> k8sFiles() {
        try (Stream<Path> s = Files.list(root().resolve("k8s"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError("cannot list k8s/", e);
        }
    }

    /** Every k8s document except kustomization.yaml. */
    static List<Map<String, Object>> k8sObjects() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Path f : k8sFiles()) {
            if (f.getFileName().toString().equals("kustomization.yaml")) continue;
            out.addAll(yamlDocuments(f));
        }
        return out;
    }

    static List<Map<String, Object>> ofKind(String kind) {
        return k8sObjects().stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    static Map<String, Object> named(String kind, String name) {
        return ofKind(kind).stream().filter(o -> name.equals(str(o, "metadata", "name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in k8s/"));
    }

    static Map<String, Object> compose() {
        List<Map<String, Object>> docs = yamlDocuments(root().resolve("docker-compose.yml"));
        if (docs.size() != 1) throw new AssertionError("docker-compose.yml: expected one document, got " + docs.size());
        return docs.get(0);
    }

    static Map<String, Object> composeService(String name) {
        Map<String, Object> s = map(compose(), "services", name);
        if (s == null) throw new AssertionError("docker-compose.yml has no service " + name);
        return s;
    }

    /** The environment of a compose service (mapping or list form). */
    @SuppressWarnings("unchecked")
    static Map<String, String> composeEnv(Map<String, Object> service) {
        Object env = service.get("environment");
        Map<String, String> out = new LinkedHashMap<>();
        if (env instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else if (env instanceof List<?> l) {
            for (Object e : l) {
                String s = String.valueOf(e);
                int eq = s.indexOf('=');
                out.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        }
        return out;
    }

    private static final Pattern COMPOSE_VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");

    /** Compose interpolation with defaults only (no environment): ${X:-d} -> d, ${X} -> "". */
    static String composeDefaults(String value) {
        Matcher m = COMPOSE_VAR.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
        m.appendTail(sb);
        return sb.toString();
    }

    // ---- application.properties -------------------------------------------------------------------------------

    private static final Pattern COMMENTED_KEY = Pattern.compile("^#\\s*([A-Za-z][A-Za-z0-9_.\\-\"]*)\\s*=.*");

    /**
     * The keys a service documents: every active key (without %profile keys) and every commented-out key line
     * ({@code #zhyper.model.dir=/var/...}), which is how the services document optional keys without a default.
     */
    static Set<String> documentedKeys(String service) {
        Path file = applicationProperties(service);
        Set<String> keys = new LinkedHashSet<>();
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
            for (String line : Files.readAllLines(file)) {
                Matcher m = COMMENTED_KEY.matcher(line.strip());
                if (m.matches()) keys.add(m.group(1));
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
        for (String k : p.stringPropertyNames()) if (!k.startsWith("%")) keys.add(k);
        return keys;
    }

    static Properties properties(String service) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(applicationProperties(service))) {
            p.load(r);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return p;
    }

    static int httpPort(String service) {
        String v = properties(service).getProperty("quarkus.http.port");
        if (v == null) throw new AssertionError(service + ": no quarkus.http.port in application.properties");
        return Integer.parseInt(v.trim());
    }

    /** MicroProfile Config / Quarkus environment name of a property key: non-alphanumerics -> '_', uppercase. */
    static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** Null when {@code env} is fine for {@code service}, else the reason it is not. */
    static String unknownEnv(String service, String env) {
        if (EXTRA_ENV.containsKey(env)) return null;
        Set<String> keys = documentedKeys(service);
        Set<String> accepted = new LinkedHashSet<>(keys);
        if (keys.contains("zhyper.cache.mode")) accepted.addAll(CACHE_KEYS);
        for (String k : accepted) if (envName(k).equals(env)) return null;
        return env + " maps to no key of " + service + "/src/main/resources/application.properties"
                + " and is not in the whitelist " + EXTRA_ENV.keySet();
    }

    static String artifactId(String service) {
        Path pom = root().resolve(service).resolve("pom.xml");
        if (!Files.exists(pom)) return service;
        try {
            String xml = Files.readString(pom).replaceAll("(?s)<parent>.*?</parent>", "")
                    .replaceAll("(?s)<profiles>.*", "").replaceAll("(?s)<dependencies>.*", "");
            Matcher m = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(xml);
            if (!m.find()) throw new AssertionError(pom + ": no artifactId");
            return m.group(1).trim();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    // ---- navigation ------------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String... path) {
        Object cur = o;
        for (String p : path) {
            if (!(cur instanceof Map)) return null;
            cur = ((Map<String, Object>) cur).get(p);
        }
        return cur instanceof Map ? (Map<String, Object>) cur : null;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o, String... path) {
        Object cur = o;
        for (String p : path) {
            if (!(cur instanceof Map)) return List.of();
            cur = ((Map<String, Object>) cur).get(p);
        }
        return cur instanceof List ? (List<Object>) cur : List.of();
    }

    @SuppressWarnings("unchecked")
    static String str(Object o, String... path) {
        Object cur = o;
        for (String p : path) {
            if (!(cur instanceof Map)) return null;
            cur = ((Map<String, Object>) cur).get(p);
        }
        return cur == null ? null : String.valueOf(cur);
    }

    /** The (only) container of a Deployment. */
    static Map<String, Object> container(Map<String, Object> deployment) {
        List<Object> cs = list(deployment, "spec", "template", "spec", "containers");
        if (cs.size() != 1) {
            throw new AssertionError(str(deployment, "metadata", "name") + ": expected one container, got " + cs.size());
        }
        return map(cs.get(0));
    }
}
