package dev.zhyper.service.common;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one place where the configuration of every hand-built Kafka client (producer, consumer, admin) is made. A
 * service makes it from the very map the SmallRye channels get, Quarkus' {@code default-kafka-broker} bean: every
 * {@code kafka.*} property (environment variables too: {@code KAFKA_SASL_JAAS_CONFIG} is {@code sasl.jaas.config}),
 * prefix cut. So {@code bootstrap.servers}, {@code security.protocol}, {@code sasl.*}, {@code ssl.*} and anything
 * else reach the channels and the hand-built clients alike.
 *
 * <p>Each client adds its own settings ({@code acks}, {@code group.id}, {@code client.id}, ...), which win over the
 * common ones. {@code group.id} is never taken from the common properties (Quarkus fills it with the application
 * name; each hand-built consumer sets its own or, like {@link CheckpointFollower}, none). A key that Kafka knows only
 * for the other client kind (e.g. {@code auto.offset.reset} for a producer) is left out of that kind's map.
 */
public final class KafkaClientConfig {

    private static final Set<String> PRODUCER = ProducerConfig.configNames();
    private static final Set<String> CONSUMER = ConsumerConfig.configNames();
    private static final Set<String> ADMIN = AdminClientConfig.configNames();
    /** Quarkus TLS registry hand-over, as quarkus-kafka-client does it for the channels. */
    static final String TLS_CONFIGURATION_NAME = "tls-configuration-name";
    private static final String QUARKUS_SSL_ENGINE_FACTORY = "io.quarkus.kafka.client.tls.QuarkusKafkaSslEngineFactory";

    private final Map<String, Object> common;

    private KafkaClientConfig(Map<String, Object> common) {
        Object servers = common.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        if (servers == null || servers.toString().isBlank()) {
            throw new IllegalArgumentException("kafka.bootstrap.servers is not set");
        }
        this.common = Collections.unmodifiableMap(new TreeMap<>(common));
    }

    /** From Kafka client properties without the {@code kafka.} prefix (e.g. Quarkus' default-kafka-broker map). */
    public static KafkaClientConfig of(Map<String, ?> properties) {
        Map<String, Object> m = new HashMap<>();
        properties.forEach((k, v) -> {
            if (v != null && !k.equals(ConsumerConfig.GROUP_ID_CONFIG)) m.put(k, v);
        });
        if (m.containsKey(TLS_CONFIGURATION_NAME)) {
            m.put(SslConfigs.SSL_ENGINE_FACTORY_CLASS_CONFIG, QUARKUS_SSL_ENGINE_FACTORY);
        }
        return new KafkaClientConfig(m);
    }

    /** A plain client of {@code bootstrapServers} (loopback stacks, tests). */
    public static KafkaClientConfig plain(String bootstrapServers) {
        return of(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** The same configuration with {@code key} set (or replaced) for every client. */
    public KafkaClientConfig with(String key, Object value) {
        Map<String, Object> m = new HashMap<>(common);
        m.put(key, value);
        return new KafkaClientConfig(m);
    }

    public String bootstrapServers() {
        return common.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG).toString();
    }

    /** The common properties (read-only; may hold secrets: never log it, see {@link #toString()}). */
    public Map<String, Object> common() {
        return common;
    }

    /** Properties for a producer: the common ones that a producer takes, then {@code own}. */
    public Map<String, Object> producer(Map<String, ?> own) {
        return build(PRODUCER, own);
    }

    /** Properties for a consumer: the common ones that a consumer takes, then {@code own}. */
    public Map<String, Object> consumer(Map<String, ?> own) {
        return build(CONSUMER, own);
    }

    /** Properties for an admin client: the common ones that an admin client takes, then {@code own}. */
    public Map<String, Object> admin(Map<String, ?> own) {
        return build(ADMIN, own);
    }

    private Map<String, Object> build(Set<String> kind, Map<String, ?> own) {
        Map<String, Object> m = new HashMap<>();
        common.forEach((k, v) -> {
            boolean known = PRODUCER.contains(k) || CONSUMER.contains(k) || ADMIN.contains(k);
            if (kind.contains(k) || !known) m.put(k, v); // unknown keys: plug-in settings, passed as the channels do
        });
        m.putAll(own);
        return m;
    }

    /** Bootstrap servers, security protocol and SASL mechanism: no secrets. */
    @Override
    public String toString() {
        return "kafka " + bootstrapServers() + " ("
                + common.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")
                + (common.containsKey(SaslConfigs.SASL_MECHANISM) ? ", " + common.get(SaslConfigs.SASL_MECHANISM) : "")
                + ")";
    }

}
