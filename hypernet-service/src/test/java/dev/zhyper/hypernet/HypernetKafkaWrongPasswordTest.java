package dev.zhyper.hypernet;

import dev.zhyper.service.common.SecureKafkaBrokerResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.kafka.common.errors.AuthenticationException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hypernet given a wrong Kafka password starts (serving its configured checkpoint, no endless wait) and says
 * what is wrong: readiness DOWN with the broker's authentication error.
 */
@QuarkusTest
@TestProfile(HypernetKafkaWrongPasswordTest.WrongPassword.class)
class HypernetKafkaWrongPasswordTest {

    public static class WrongPassword implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SecureKafkaBrokerResource.class, Map.of("password", "not-the-password")));
        }
    }

    @Inject
    CheckpointConsumer checkpointConsumer;

    @Inject
    CheckpointRegistry registry;

    @Test
    void aWrongPasswordIsReportedByReadiness() throws Exception {
        HypernetKafkaSecurityTest.waitFor(checkpointConsumer::caughtUp, "started from the configuration");
        assertTrue(registry.current() != null, "serves zhyper.checkpoint.dir");
        HypernetKafkaSecurityTest.waitFor(() -> checkpointConsumer.kafkaError() != null, "the refusal is known");
        assertInstanceOf(AuthenticationException.class, checkpointConsumer.kafkaError());
        given().get("/q/health/ready").then().statusCode(503)
                .body(containsString("kafka_error"))
                .body(containsString("SaslAuthenticationException"));
    }
}
