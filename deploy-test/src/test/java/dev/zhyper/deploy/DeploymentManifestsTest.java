package dev.zhyper.deploy;

import static dev.zhyper.deploy.Manifests.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import dev.zhyper.proto.Topics;

/**
 * docker-compose.yml and k8s/ agree with the services: names, selectors, ports, config keys, topics, images, GPU
 * scheduling and autoscaling. Checks that need a service's application.properties are skipped (assumption) while
 * that service is not in the tree, and strict once it is.
 */
class DeploymentManifestsTest {

    static final List<String> services = SERVICES;

    private static void assumeServicePresent(String service) {
        Assumptions.assumeTrue(Files.exists(applicationProperties(service)),
                service + " is not in this tree yet: " + applicationProperties(service));
    }

    // ---- structure --------------------------------------------------------------------------------------------

    @Test
    void everyK8sDocumentIsAnObjectAndKustomizationListsEveryFile() {
        List<Path> files = k8sFiles();
        assertFalse(files.isEmpty(), "k8s/*.yaml");
        for (Map<String, Object> o : k8sObjects()) {
            assertNotNull(str(o, "apiVersion"), "apiVersion of " + o);
            assertNotNull(str(o, "kind"), "kind of " + o);
            assertNotNull(str(o, "metadata", "name"), "metadata.name of " + o);
        }
        Map<String, Object> kustomization = yamlDocuments(root().resolve("k8s/kustomization.yaml")).get(0);
        assertEquals("zhyper", str(kustomization, "namespace"));
        Set<String> listed = list(kustomization, "resources").stream().map(String::valueOf)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> present = files.stream().map(p -> p.getFileName().toString())
                .filter(n -> !n.equals("kustomization.yaml")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(present, listed, "kustomization.yaml resources = the k8s/*.yaml files");
        assertEquals(1, ofKind("Namespace").size());
        assertEquals("zhyper", str(ofKind("Namespace").get(0), "metadata", "name"));
    }

    @Test
    void everyServiceHasComposeServiceDeploymentServiceAndConfigMap() {
        for (String s : SERVICES) {
            composeService(s);
            named("Deployment", s);
            named("Service", s);
            named("ConfigMap", s + "-config");
        }
        assertEquals(new TreeSet<>(SERVICES), ofKind("Deployment").stream().map(d -> str(d, "metadata", "name"))
                .collect(Collectors.toCollection(TreeSet::new)), "exactly the four service Deployments");
    }

    @Test
    void deploymentSelectorsMatchPodLabelsAndServiceSelectors() {
        for (Map<String, Object> d : ofKind("Deployment")) {
            String name = str(d, "metadata", "name");
            Map<String, Object> selector = map(d, "spec", "selector", "matchLabels");
            Map<String, Object> podLabels = map(d, "spec", "template", "metadata", "labels");
            assertNotNull(selector, name + ": spec.selector.matchLabels");
            assertNotNull(podLabels, name + ": pod template labels");
            assertEquals(name, selector.get("app.kubernetes.io/name"), name + ": selector app.kubernetes.io/name");
            selector.forEach((k, v) -> assertEquals(v, podLabels.get(k), name + ": pod label " + k));
            Map<String, Object> service = named("Service", name);
            Map<String, Object> svcSelector = map(service, "spec", "selector");
            assertEquals(selector, svcSelector, name + ": Service selector = Deployment selector");
        }
    }

    @Test
    void servicesExposeTheContainerPortAsHttpGrpc() {
        for (Map<String, Object> d : ofKind("Deployment")) {
            String name = str(d, "metadata", "name");
            Map<String, Object> c = container(d);
            int containerPort = namedPort(c, "http-grpc");
            List<Object> ports = list(named("Service", name), "spec", "ports");
            assertEquals(1, ports.size(), name + ": one Service port");
            Map<String, Object> p = map(ports.get(0));
            assertEquals("http-grpc", p.get("name"), name + ": Service port name");
            assertEquals(containerPort, ((Number) p.get("port")).intValue(), name + ": Service port");
            assertEquals(containerPort, resolvePort(c, p.get("targetPort")), name + ": Service targetPort");
        }
    }

    // ---- ports ------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @FieldSource("services")
    void k8sContainerAndProbePortsAreTheHttpPort(String service) {
        assumeServicePresent(service);
        int http = httpPort(service);
        Map<String, Object> c = container(named("Deployment", service));
        assertEquals(http, namedPort(c, "http-grpc"), service + ": containerPort");
        assertEquals("/q/health/ready", str(c, "readinessProbe", "httpGet", "path"), service + ": readiness path");
        assertEquals("/q/health/live", str(c, "livenessProbe", "httpGet", "path"), service + ": liveness path");
        for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
            Map<String, Object> get = map(c, probe, "httpGet");
            if (get == null) continue;
            assertEquals(http, resolvePort(c, get.get("port")), service + ": " + probe + " port");
        }
        Map<String, Object> annotations = map(named("Deployment", service), "spec", "template", "metadata",
                "annotations");
        if (annotations != null && annotations.get("prometheus.io/port") != null) {
            assertEquals(String.valueOf(http), String.valueOf(annotations.get("prometheus.io/port")),
                    service + ": prometheus.io/port");
        }
    }

    @ParameterizedTest
    @FieldSource("services")
    void composePortAndHealthcheckAreTheHttpPort(String service) {
        assumeServicePresent(service);
        int http = httpPort(service);
        Map<String, Object> s = composeService(service);
        List<String> ports = list(s, "ports").stream().map(String::valueOf).map(Manifests::composeDefaults).toList();
        assertTrue(ports.contains("127.0.0.1:" + http + ":" + http),
                service + ": compose publishes " + http + " on loopback by default, has " + ports);
        String healthcheck = String.valueOf(list(s, "healthcheck", "test"));
        assertTrue(healthcheck.contains("localhost:" + http + "/q/health/ready"),
                service + ": compose healthcheck on /q/health/ready of port " + http + ": " + healthcheck);
    }

    @ParameterizedTest
    @FieldSource("services")
    void targetsOfOtherServicesUseTheirHttpPorts(String service) {
        assumeServicePresent(service);
        int http = httpPort(service);
        // Who calls whom: hypernet -> embedder (ZHYPER_EMBEDDER_TARGET), generator -> hypernet (ZHYPER_HYPERNET_TARGET).
        String var = switch (service) {
            case "embedder-service" -> "ZHYPER_EMBEDDER_TARGET";
            case "hypernet-service" -> "ZHYPER_HYPERNET_TARGET";
            default -> null;
        };
        Assumptions.assumeTrue(var != null, service + " is called by no other service");
        String expected = service + ":" + http;
        int uses = 0;
        for (String caller : SERVICES) {
            String composeValue = composeEnv(composeService(caller)).get(var);
            if (composeValue != null) {
                assertEquals(expected, composeValue, "compose " + caller + " " + var);
                uses++;
            }
            Object k8sValue = map(named("ConfigMap", caller + "-config"), "data").get(var);
            if (k8sValue != null) {
                assertEquals(expected, String.valueOf(k8sValue), "k8s " + caller + " " + var);
                uses++;
            }
        }
        assertEquals(2, uses, var + " set once in compose and once in k8s");
        // quarkus.grpc.clients.<name>.host/port, where set, agree with the target
        String client = service.replace("-service", "").toUpperCase();
        for (String caller : SERVICES) {
            Map<String, String> env = new LinkedHashMap<>(composeEnv(composeService(caller)));
            for (Map<String, String> e : List.of(env, configMapData(caller))) {
                String host = e.get("QUARKUS_GRPC_CLIENTS_" + client + "_HOST");
                String port = e.get("QUARKUS_GRPC_CLIENTS_" + client + "_PORT");
                if (host != null) assertEquals(service, host, caller + " gRPC client host of " + service);
                if (port != null) assertEquals(String.valueOf(http), port, caller + " gRPC client port of " + service);
            }
        }
    }

    // ---- configuration keys ---------------------------------------------------------------------------------

    @ParameterizedTest
    @FieldSource("services")
    void k8sEnvNamesAreKeysOfTheService(String service) {
        assumeServicePresent(service);
        List<String> problems = new ArrayList<>();
        configMapData(service).keySet().forEach(env -> addIfUnknown(problems, service, env));
        Map<String, Object> c = container(named("Deployment", service));
        for (Object e : list(c, "env")) addIfUnknown(problems, service, str(e, "name"));
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @ParameterizedTest
    @FieldSource("services")
    void composeEnvNamesAreKeysOfTheService(String service) {
        assumeServicePresent(service);
        List<String> problems = new ArrayList<>();
        composeEnv(composeService(service)).keySet().forEach(env -> addIfUnknown(problems, service, env));
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void envNameRuleIsQuarkus() {
        assertEquals("ZHYPER_CACHE_REMOTE_SERVERS", envName("zhyper.cache.remote.servers"));
        assertEquals("ZHYPER_GENERATE_MAX_TOKENS_LIMIT", envName("zhyper.generate.max-tokens-limit"));
        assertEquals("QUARKUS_GRPC_CLIENTS_EMBEDDER_HOST", envName("quarkus.grpc.clients.embedder.host"));
        assertEquals("KAFKA_BOOTSTRAP_SERVERS", envName("kafka.bootstrap.servers"));
    }

    @Test
    void envFromConfigMapsAndSecretsExist() {
        for (Map<String, Object> d : ofKind("Deployment")) {
            Map<String, Object> c = container(d);
            for (Object ef : list(c, "envFrom")) {
                String cm = str(ef, "configMapRef", "name");
                if (cm != null) named("ConfigMap", cm);
            }
            for (Object e : list(c, "env")) {
                String secret = str(e, "valueFrom", "secretKeyRef", "name");
                if (secret == null) continue;
                Map<String, Object> s = named("Secret", secret);
                String key = str(e, "valueFrom", "secretKeyRef", "key");
                Map<String, Object> data = map(s, "stringData") != null ? map(s, "stringData") : map(s, "data");
                assertTrue(data != null && data.containsKey(key), secret + " has key " + key);
            }
        }
    }

    @Test
    void kafkaAndInfinispanAddressesPointAtTheDeclaredServers() {
        String kafka = str(ofKind("Kafka").get(0), "metadata", "name");
        Map<String, Object> listener = map(list(ofKind("Kafka").get(0), "spec", "kafka", "listeners").get(0));
        String bootstrap = kafka + "-kafka-bootstrap:" + listener.get("port");
        String infinispan = str(ofKind("Infinispan").get(0), "metadata", "name") + ":11222";
        assertEquals("infinispan.org/v1", str(ofKind("Infinispan").get(0), "apiVersion"));
        for (String s : SERVICES) {
            Map<String, String> k8s = configMapData(s);
            assertEquals(bootstrap, k8s.get("KAFKA_BOOTSTRAP_SERVERS"), s + " k8s KAFKA_BOOTSTRAP_SERVERS");
            Map<String, String> compose = composeEnv(composeService(s));
            assertEquals("kafka:9092", compose.get("KAFKA_BOOTSTRAP_SERVERS"), s + " compose KAFKA_BOOTSTRAP_SERVERS");
            if ("remote".equals(k8s.get("ZHYPER_CACHE_MODE"))) {
                assertEquals(infinispan, k8s.get("ZHYPER_CACHE_REMOTE_SERVERS"), s + " k8s cache servers");
            }
            if ("remote".equals(compose.get("ZHYPER_CACHE_MODE"))) {
                assertEquals("infinispan:11222", compose.get("ZHYPER_CACHE_REMOTE_SERVERS"), s + " compose cache");
            }
        }
        String advertised = composeEnv(composeService("kafka")).get("KAFKA_ADVERTISED_LISTENERS");
        assertTrue(advertised.contains("//kafka:9092"), "compose kafka advertises kafka:9092: " + advertised);
        assertNotNull(map(compose(), "services", "infinispan"), "compose service infinispan");
    }

    // ---- topics ------------------------------------------------------------------------------------------------

    @Test
    void kafkaTopicsAreExactlyTheTopicsOfTopicsJava() throws Exception {
        Set<String> expected = new TreeSet<>(topicsByReflection());
        assertEquals(new TreeSet<>(Topics.allWithDlq()), expected, "Topics.allWithDlq() covers every constant");
        String cluster = str(ofKind("Kafka").get(0), "metadata", "name");
        Set<String> k8s = new TreeSet<>();
        for (Map<String, Object> t : ofKind("KafkaTopic")) {
            String name = str(t, "spec", "topicName") != null ? str(t, "spec", "topicName") : str(t, "metadata", "name");
            assertTrue(k8s.add(name), "duplicate KafkaTopic " + name);
            assertEquals(cluster, str(t, "metadata", "labels", "strimzi.io/cluster"), name + ": strimzi.io/cluster");
        }
        assertEquals(expected, k8s, "KafkaTopics in k8s/ = Topics.java topics + DLQs");
        String spec = composeEnv(composeService("kafka-init")).get("ZHYPER_TOPICS");
        Set<String> compose = new TreeSet<>();
        for (String s : spec.trim().split("\\s+")) assertTrue(compose.add(s.substring(0, s.indexOf(':'))), s);
        assertEquals(expected, compose, "topics created by compose kafka-init = Topics.java topics + DLQs");
    }

    /** Every String constant of Topics that names a topic (not a header, not the prefix), plus the DLQs. */
    private static Set<String> topicsByReflection() throws IllegalAccessException {
        Set<String> topics = new HashSet<>();
        for (Field f : Topics.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isStatic(m) || !Modifier.isPublic(m) || f.getType() != String.class) continue;
            String v = (String) f.get(null);
            if (f.getName().endsWith("_HEADER") || f.getName().equals("DLQ_PREFIX")) continue;
            assertTrue(v.startsWith("zhyper."), f.getName() + " = " + v);
            topics.add(v);
            topics.add(Topics.dlq(v));
        }
        assertFalse(topics.isEmpty());
        return topics;
    }

    // ---- images ------------------------------------------------------------------------------------------------

    @Test
    void imagesAreZhyperArtifactIdAtTheProjectVersion() {
        String version = projectVersion();
        for (String s : SERVICES) {
            String artifactId = artifactId(s);
            assertEquals(s, artifactId, s + "/pom.xml artifactId");
            checkImage("compose " + s, composeDefaults(String.valueOf(composeService(s).get("image"))), artifactId,
                    version);
            checkImage("k8s " + s, String.valueOf(container(named("Deployment", s)).get("image")), artifactId,
                    version);
        }
    }

    private static void checkImage(String where, String image, String artifactId, String version) {
        int colon = image.lastIndexOf(':');
        assertTrue(colon > 0, where + ": image has a tag: " + image);
        assertEquals("zhyper/" + artifactId, image.substring(0, colon), where + ": image name");
        String tag = image.substring(colon + 1);
        assertTrue(tag.equals(version) || tag.startsWith(version + "-"), where + ": tag " + tag + " is " + version
                + "[-variant]");
    }

    // ---- GPU, autoscaling, trainer, storage -------------------------------------------------------------------

    @Test
    void generatorRunsOnAGpuNode() {
        Map<String, Object> d = named("Deployment", "generator-service");
        Map<String, Object> c = container(d);
        assertEquals("1", str(c, "resources", "limits", "nvidia.com/gpu"), "GPU limit");
        assertEquals("true", str(d, "spec", "template", "spec", "nodeSelector", "nvidia.com/gpu.present"));
        assertTrue(list(d, "spec", "template", "spec", "tolerations").stream()
                .anyMatch(t -> "nvidia.com/gpu".equals(str(t, "key"))), "toleration for nvidia.com/gpu");
        Map<String, String> env = configMapData("generator-service");
        assertEquals("gpu", env.get("ZHYPER_DEVICE"));
        assertEquals("bf16", env.get("ZHYPER_DTYPE"));
        for (String s : SERVICES) {
            if (s.equals("generator-service")) continue;
            assertEquals(null, str(container(named("Deployment", s)), "resources", "limits", "nvidia.com/gpu"),
                    s + " needs no GPU");
        }
    }

    @Test
    void hpasTargetExistingDeployments() {
        Set<String> scaled = new TreeSet<>();
        for (Map<String, Object> h : ofKind("HorizontalPodAutoscaler")) {
            assertEquals("autoscaling/v2", str(h, "apiVersion"));
            assertEquals("Deployment", str(h, "spec", "scaleTargetRef", "kind"));
            assertEquals("apps/v1", str(h, "spec", "scaleTargetRef", "apiVersion"));
            String target = str(h, "spec", "scaleTargetRef", "name");
            named("Deployment", target);
            assertFalse(list(h, "spec", "metrics").isEmpty(), target + ": HPA metrics");
            int min = Integer.parseInt(str(h, "spec", "minReplicas"));
            int max = Integer.parseInt(str(h, "spec", "maxReplicas"));
            assertTrue(min >= 1 && max >= min, target + ": 1 <= min <= max");
            assertTrue(scaled.add(target), "one HPA per Deployment: " + target);
            // a resource metric needs a request to compute utilisation
            for (Object m : list(h, "spec", "metrics")) {
                String resource = str(m, "resource", "name");
                if (resource != null) {
                    assertNotNull(str(container(named("Deployment", target)), "resources", "requests", resource),
                            target + ": request for " + resource);
                }
            }
        }
        assertEquals(new TreeSet<>(List.of("generator-service", "hypernet-service")), scaled);
    }

    @Test
    void trainerIsASingleReplicaRecreatedAndTheOnlyCheckpointWriter() {
        Map<String, Object> d = named("Deployment", "trainer-service");
        assertEquals("1", str(d, "spec", "replicas"));
        assertEquals("Recreate", str(d, "spec", "strategy", "type"));
        for (Map<String, Object> dep : ofKind("Deployment")) {
            String name = str(dep, "metadata", "name");
            for (Object m : list(container(dep), "volumeMounts")) {
                if (!"checkpoints".equals(str(m, "name"))) continue;
                boolean readOnly = Boolean.parseBoolean(str(m, "readOnly"));
                assertEquals(!name.equals("trainer-service"), readOnly, name + ": checkpoints mount readOnly");
            }
        }
    }

    @Test
    void volumesAreTheSharedClaimsAndPathsAgree() {
        Map<String, Object> checkpoints = named("PersistentVolumeClaim", "zhyper-checkpoints");
        assertEquals(List.of("ReadWriteMany"), list(checkpoints, "spec", "accessModes"));
        Map<String, Object> models = named("PersistentVolumeClaim", "zhyper-models");
        assertEquals(List.of("ReadOnlyMany"), list(models, "spec", "accessModes"));
        Set<String> checkpointPaths = new TreeSet<>();
        for (Map<String, Object> d : ofKind("Deployment")) {
            String name = str(d, "metadata", "name");
            Map<String, String> volumeToClaim = new LinkedHashMap<>();
            for (Object v : list(d, "spec", "template", "spec", "volumes")) {
                // the scratch /tmp of a read-only root filesystem is an emptyDir
                if (map(v, "emptyDir") != null && "/tmp".equals(mountPathOf(d, str(v, "name")))) {
                    volumeToClaim.put(str(v, "name"), "emptyDir");
                    continue;
                }
                String claim = str(v, "persistentVolumeClaim", "claimName");
                if (claim != null) {
                    named("PersistentVolumeClaim", claim);
                    volumeToClaim.put(str(v, "name"), claim);
                }
            }
            for (Object m : list(container(d), "volumeMounts")) {
                String claim = volumeToClaim.get(str(m, "name"));
                assertNotNull(claim, name + ": mount " + str(m, "name") + " has a PVC volume");
                if (claim.equals("zhyper-checkpoints")) checkpointPaths.add(str(m, "mountPath"));
                if (claim.equals("zhyper-models")) {
                    assertEquals("true", str(m, "readOnly"), name + ": models mounted read-only");
                    String modelDir = configMapData(name).get("ZHYPER_MODEL_DIR");
                    if (modelDir != null) {
                        assertTrue(modelDir.startsWith(str(m, "mountPath") + "/"), name + ": model dir on the mount");
                    }
                }
            }
        }
        assertEquals(1, checkpointPaths.size(), "one checkpoint path for every service (events carry paths)");
        String path = checkpointPaths.iterator().next();
        assertEquals(path, configMapData("trainer-service").get("ZHYPER_CHECKPOINTS_ROOT"), "trainer root");

        // compose: the named volume `checkpoints`, at one path, which the trainer writes to
        assertTrue(map(compose(), "volumes").containsKey("checkpoints"), "compose volume checkpoints");
        Set<String> composePaths = new TreeSet<>();
        for (String s : SERVICES) {
            for (Object v : list(composeService(s), "volumes")) {
                String spec = String.valueOf(v);
                if (spec.startsWith("checkpoints:")) composePaths.add(spec.split(":")[1]);
                if (spec.contains(":/models")) {
                    assertTrue(spec.endsWith(":ro"), s + ": models mounted read-only: " + spec);
                }
            }
            String modelDir = composeEnv(composeService(s)).get("ZHYPER_MODEL_DIR");
            if (modelDir != null) assertTrue(modelDir.startsWith("/models/"), s + ": " + modelDir);
        }
        assertEquals(1, composePaths.size(), "compose: one checkpoint path " + composePaths);
        assertEquals(composePaths.iterator().next(),
                composeEnv(composeService("trainer-service")).get("ZHYPER_CHECKPOINTS_ROOT"));
    }

    @Test
    void composeDependenciesHaveConditionsAndExist() {
        Map<String, Object> all = map(compose(), "services");
        for (String s : SERVICES) {
            Map<String, Object> deps = map(composeService(s), "depends_on");
            assertNotNull(deps, s + ": depends_on");
            assertTrue(deps.containsKey("kafka-init"), s + " waits for the topics");
            deps.forEach((dep, cond) -> {
                assertTrue(all.containsKey(dep), s + " depends on unknown " + dep);
                String condition = str(cond, "condition");
                assertTrue(List.of("service_healthy", "service_completed_successfully").contains(condition),
                        s + " -> " + dep + ": condition " + condition);
                if (condition.equals("service_healthy")) {
                    assertNotNull(map(all, dep, "healthcheck"), dep + " has a healthcheck");
                }
            });
        }
        String infinispanUser = composeEnv(composeService("infinispan")).get("USER");
        for (String s : SERVICES) {
            String user = composeEnv(composeService(s)).get("ZHYPER_CACHE_REMOTE_USERNAME");
            if (user != null) assertEquals(infinispanUser, user, s + ": Hot Rod user = server user");
        }
    }

    // ---- security (issue 11, docs/adr/0013) ----------------------------------------------------------------------

    /** No credential ships with a usable default: compose demands the Infinispan password, k8s leaves it empty. */
    @Test
    void noDefaultPasswordIsShipped() throws java.io.IOException {
        List<Path> files = new ArrayList<>(k8sFiles());
        files.add(root().resolve("docker-compose.yml"));
        for (Path f : files) {
            assertFalse(java.nio.file.Files.readString(f).contains("change-me"), f + " ships the password change-me");
        }
        String pass = composeEnv(composeService("infinispan")).get("PASS");
        assertTrue(pass.startsWith("${ZHYPER_INFINISPAN_PASSWORD:?"), "compose demands the password: " + pass);
        for (String s : SERVICES) {
            String p = composeEnv(composeService(s)).get("ZHYPER_CACHE_REMOTE_PASSWORD");
            if (p != null) assertEquals(pass, p, s + ": Hot Rod password = the server's");
        }
    }

    @Test
    void composePublishesEveryPortOnLoopbackByDefault() {
        List<String> problems = new ArrayList<>();
        Map<String, Object> services = map(compose(), "services");
        services.forEach((name, svc) -> {
            for (Object p : list(svc, "ports")) {
                String published = composeDefaults(String.valueOf(p));
                if (!published.startsWith("127.0.0.1:")) problems.add(name + " publishes " + p + " beyond loopback");
            }
        });
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @ParameterizedTest
    @FieldSource("services")
    void authIsOnInComposeAndK8sWithTokensFromSecrets(String service) {
        assumeServicePresent(service);
        Map<String, String> compose = composeEnv(composeService(service));
        assertEquals("true", compose.get("ZHYPER_AUTH_ENABLED"), "compose " + service);
        assertTrue(compose.get("ZHYPER_AUTH_TOKENS").startsWith("${"), "compose " + service
                + ": tokens come from the operator's environment, not the file");
        assertEquals("true", configMapData(service).get("ZHYPER_AUTH_ENABLED"), "k8s " + service);
        Map<String, Object> c = container(named("Deployment", service));
        boolean tokensFromSecret = false;
        for (Object e : list(c, "env")) {
            if ("ZHYPER_AUTH_TOKENS".equals(str(e, "name"))) {
                tokensFromSecret = str(e, "valueFrom", "secretKeyRef", "name") != null;
            }
        }
        assertTrue(tokensFromSecret, service + ": ZHYPER_AUTH_TOKENS from a Secret");
    }

    @Test
    void credentialsAreNeverPlainValuesInK8s() {
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> cm : ofKind("ConfigMap")) {
            Map<String, Object> data = map(cm, "data");
            if (data == null) continue;
            for (String k : data.keySet()) {
                if (isCredential(k)) problems.add("ConfigMap " + str(cm, "metadata", "name") + " holds " + k);
            }
        }
        for (Map<String, Object> d : ofKind("Deployment")) {
            for (Object e : list(container(d), "env")) {
                String name = str(e, "name");
                if (isCredential(name) && str(e, "valueFrom", "secretKeyRef", "name") == null) {
                    problems.add(str(d, "metadata", "name") + " sets " + name + " without a secretKeyRef");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static boolean isCredential(String env) {
        return env.contains("PASSWORD") || env.endsWith("_TOKEN") || env.endsWith("_TOKENS") || env.endsWith("_KEY")
                || env.contains("SECRET");
    }

    private static String mountPathOf(Map<String, Object> deployment, String volume) {
        for (Object m : list(container(deployment), "volumeMounts")) {
            if (volume.equals(str(m, "name"))) return str(m, "mountPath");
        }
        return null;
    }

    @ParameterizedTest
    @FieldSource("services")
    void deploymentsRunNonRootWithAReadOnlyRootFilesystemAndNoCapabilities(String service) {
        assumeServicePresent(service);
        Map<String, Object> d = named("Deployment", service);
        Map<String, Object> pod = map(d, "spec", "template", "spec");
        assertEquals("true", str(pod, "securityContext", "runAsNonRoot"), service + " pod runAsNonRoot");
        Map<String, Object> c = container(d);
        assertEquals("true", str(c, "securityContext", "readOnlyRootFilesystem"), service);
        assertEquals("false", str(c, "securityContext", "allowPrivilegeEscalation"), service);
        assertEquals(List.of("ALL"), list(c, "securityContext", "capabilities", "drop"), service + " drops ALL");
        // a read-only root needs a writable /tmp (DJL's native libraries, ONNX runtime, Vert.x)
        boolean tmp = list(c, "volumeMounts").stream().anyMatch(m -> "/tmp".equals(str(m, "mountPath")));
        assertTrue(tmp, service + " mounts a writable /tmp");
    }

    @ParameterizedTest
    @FieldSource("services")
    void everyServiceIsBehindADefaultDenyNetworkPolicyWithAnAllowRuleForItsPort(String service) {
        assumeServicePresent(service);
        int http = httpPort(service);
        boolean denied = false;
        boolean allowed = false;
        for (Map<String, Object> np : ofKind("NetworkPolicy")) {
            if (!selects(map(np, "spec", "podSelector"), service)) continue;
            List<Object> ingress = list(np, "spec", "ingress");
            if (ingress.isEmpty() && list(np, "spec", "policyTypes").contains("Ingress")) denied = true;
            for (Object rule : ingress) {
                for (Object port : list(rule, "ports")) {
                    if (String.valueOf(http).equals(str(port, "port"))) allowed = true;
                }
            }
        }
        assertTrue(denied, service + ": a NetworkPolicy denies ingress by default");
        assertTrue(allowed, service + ": a NetworkPolicy allows its port " + http);
    }

    private static boolean selects(Map<String, Object> selector, String service) {
        if (selector == null) return false;
        Map<String, Object> labels = map(selector, "matchLabels");
        if (labels != null && service.equals(String.valueOf(labels.get("app.kubernetes.io/name")))) return true;
        for (Object e : list(selector, "matchExpressions")) {
            if ("app.kubernetes.io/name".equals(str(e, "key")) && "In".equals(str(e, "operator"))
                    && list(e, "values").contains(service)) {
                return true;
            }
        }
        return selector.isEmpty() || (labels == null && list(selector, "matchExpressions").isEmpty());
    }

    @Test
    void reflectionIsOffAndAuthOnInEveryShippedConfiguration() throws Exception {
        for (String service : SERVICES) {
            Path props = applicationProperties(service);
            if (!Files.exists(props)) continue;
            List<String> lines = Files.readAllLines(props);
            assertTrue(lines.contains("quarkus.grpc.server.enable-reflection-service=false"), service);
            assertTrue(lines.contains("zhyper.auth.enabled=true"), service);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static void addIfUnknown(List<String> problems, String service, String env) {
        String p = unknownEnv(service, env);
        if (p != null) problems.add(p);
    }

    private static Map<String, String> configMapData(String service) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, Object> data = map(named("ConfigMap", service + "-config"), "data");
        if (data != null) data.forEach((k, v) -> out.put(k, v == null ? "" : String.valueOf(v)));
        return out;
    }

    private static int namedPort(Map<String, Object> container, String name) {
        for (Object p : list(container, "ports")) {
            if (name.equals(str(p, "name"))) return Integer.parseInt(str(p, "containerPort"));
        }
        return fail(str(container, "name") + ": no container port named " + name);
    }

    private static int resolvePort(Map<String, Object> container, Object port) {
        if (port instanceof Number n) return n.intValue();
        return namedPort(container, String.valueOf(port));
    }
}
