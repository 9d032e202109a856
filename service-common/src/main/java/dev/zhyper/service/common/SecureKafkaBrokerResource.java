package dev.zhyper.service.common;

import dev.zhyper.proto.Topics;
import dev.zhyper.stack.EmbeddedKafka;
import dev.zhyper.stack.SelfSignedTls;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Quarkus test resource: a real in-process Kafka broker whose only port given to the application is a SASL_SSL
 * listener (TLS with a certificate generated at start, SCRAM-SHA-256), all Zhyper topics and DLQs created. Sets
 * {@code kafka.bootstrap.servers}, {@code kafka.security.protocol}, {@code kafka.sasl.mechanism},
 * {@code kafka.sasl.jaas.config} and {@code kafka.ssl.truststore.*}: the settings an operator gives a secured
 * cluster. Init arg {@code password} gives the application another password than the broker's (to check that a
 * wrong one is reported); {@code zhyper.test.kafka.password} is always the broker's.
 *
 * <p>Runs after other test resources ({@link #order()}), so its {@code kafka.bootstrap.servers} wins over a
 * {@link KafkaBrokerResource} another test class of the module declares globally. Use it from a
 * {@code QuarkusTestProfile}'s {@code testResources()} so it stays with that profile.
 */
public class SecureKafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    public static final String USER = "zhyper-service";

    private EmbeddedKafka kafka;
    private Path dir;
    private String appPassword;

    @Override
    public void init(Map<String, String> initArgs) {
        appPassword = initArgs.get("password");
    }

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("zhyper-kafka-secure-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String password = "pw-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        SelfSignedTls tls = SelfSignedTls.generate(dir.resolve("tls"));
        kafka = EmbeddedKafka.startSecure(dir.resolve("kafka"), new EmbeddedKafka.SecureListener(tls, USER, password));
        kafka.deleteLogDirOnClose(true);
        kafka.createTopics(Topics.allWithDlq().toArray(String[]::new));
        Map<String, String> props = new HashMap<>();
        kafka.clientProperties(USER, appPassword == null ? password : appPassword)
                .forEach((k, v) -> props.put("kafka." + k, v));
        props.put("zhyper.test.kafka.password", password);
        return props;
    }

    @Override
    public int order() {
        return 1000;
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
        if (dir != null) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp dir
            }
        }
    }
}
