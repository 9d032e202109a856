package dev.zhyper.service.common;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafkaClientConfigTest {

    static final Map<String, Object> QUARKUS_MAP = Map.of(
            "bootstrap.servers", "k1:9093,k2:9093",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"secret\";",
            "ssl.truststore.location", "/etc/zhyper/trust.p12",
            "group.id", "hypernet-service", // Quarkus adds the application name
            "auto.offset.reset", "earliest", // a consumer-only key
            "acks", "1", // a producer-only key
            "my.plugin.setting", "x"); // unknown to Kafka: passed on, as to the channels

    @Test
    void everyClientKindGetsTheSecuritySettings() {
        KafkaClientConfig k = KafkaClientConfig.of(QUARKUS_MAP);
        for (Map<String, Object> m : new Map[] {k.producer(Map.of()), k.consumer(Map.of()), k.admin(Map.of())}) {
            assertEquals("k1:9093,k2:9093", m.get("bootstrap.servers"));
            assertEquals("SASL_SSL", m.get("security.protocol"));
            assertEquals("SCRAM-SHA-512", m.get("sasl.mechanism"));
            assertTrue(m.get("sasl.jaas.config").toString().contains("password=\"secret\""));
            assertEquals("/etc/zhyper/trust.p12", m.get("ssl.truststore.location"));
            assertEquals("x", m.get("my.plugin.setting"));
            assertFalse(m.containsKey("group.id"), "group.id is each consumer's own");
        }
        assertFalse(k.producer(Map.of()).containsKey("auto.offset.reset"));
        assertFalse(k.consumer(Map.of()).containsKey("acks"));
        assertEquals("earliest", k.consumer(Map.of()).get("auto.offset.reset"));
        assertEquals("all", k.producer(Map.of("acks", "all")).get("acks"), "a client's own settings win");
        assertEquals("g", k.consumer(Map.of("group.id", "g")).get("group.id"));
    }

    @Test
    void describesItselfWithoutSecretsAndNeedsBootstrap() {
        String s = KafkaClientConfig.of(QUARKUS_MAP).toString();
        assertEquals("kafka k1:9093,k2:9093 (SASL_SSL, SCRAM-SHA-512)", s);
        assertFalse(s.contains("secret"));
        assertEquals("kafka h:1 (PLAINTEXT)", KafkaClientConfig.plain("h:1").toString());
        assertThrows(IllegalArgumentException.class, () -> KafkaClientConfig.of(Map.of("security.protocol", "SSL")));
    }

    @Test
    void quarkusTlsRegistryIsHandedOverAsForTheChannels() {
        Map<String, Object> m = KafkaClientConfig.of(Map.of("bootstrap.servers", "h:1", "tls-configuration-name", "kafka"))
                .producer(Map.of());
        assertEquals("kafka", m.get("tls-configuration-name"));
        assertEquals("io.quarkus.kafka.client.tls.QuarkusKafkaSslEngineFactory", m.get("ssl.engine.factory.class"));
    }
}
