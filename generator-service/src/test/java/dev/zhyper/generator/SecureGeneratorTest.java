package dev.zhyper.generator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zhyper.service.common.KafkaBrokerResource;
import dev.zhyper.service.common.TlsTestResource;
import dev.zhyper.service.common.security.AccessPolicy;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generator over TLS with auth on: the {@code @grpc/grpc-js} client (Node, TLS with the test CA, token as
 * metadata) generates with an inference token and is UNAUTHENTICATED without one or with a wrong one; the OpenAI API
 * and the playground's JSON endpoint answer 401 without a token, 403 to a token without the role, 200 with it.
 */
@QuarkusTest
@TestProfile(SecureGeneratorTest.Secure.class)
class SecureGeneratorTest {

    static final String INFERENCE = "generator-inference-token";

    public static class Secure implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("zhyper.auth.enabled", "true",
                    "zhyper.auth.tokens", "inference:sha256:" + AccessPolicy.sha256Hex(INFERENCE));
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaBrokerResource.class),
                    new TestResourceEntry(TinyModelResource.class), new TestResourceEntry(TlsTestResource.class));
        }
    }

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    @Test
    void grpcJsOverTlsNeedsAToken() throws Exception {
        JsonNode r = CancellationOverNetworkTest.runNode("tls-auth.js", "localhost:" + https.getPort(),
                CancellationOverNetworkTest.protoRoot().toString(), TlsTestResource.issued().ca().toString(), INFERENCE);
        assertTrue(r.get("ok").asBoolean(), r.toString());
        assertEquals("tls-" + INFERENCE, r.get("requestId").asText(), r.toString());
        assertEquals("UNAUTHENTICATED", r.get("noToken").asText(), r.toString());
        assertEquals("UNAUTHENTICATED", r.get("wrongToken").asText(), r.toString());
    }

    @Test
    void openAiApiAndPlaygroundJsonNeedTheInferenceRole() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(trusting()).connectTimeout(Duration.ofSeconds(30)).build();
        URI models = URI.create("https://localhost:" + https.getPort() + "/v1/models");
        assertEquals(401, get(http, models, null).statusCode());
        assertEquals(401, get(http, models, "wrong").statusCode());
        HttpResponse<String> ok = get(http, models, INFERENCE);
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(ok.body().contains("\"object\""), ok.body());
        HttpResponse<String> modulation = http.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + https.getPort() + "/zhyper/v1/modulation"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("content-type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, modulation.statusCode(), modulation.body());
        assertTrue(modulation.body().contains("authentication_error"), modulation.body());
        // admin-only (anything not listed): an inference token is 403
        HttpResponse<String> other = get(http, URI.create("https://localhost:" + https.getPort() + "/canary"), INFERENCE);
        assertEquals(403, other.statusCode(), other.body());
        assertEquals(200, get(http, URI.create("https://localhost:" + https.getPort() + "/q/health/live"), null)
                .statusCode(), "probes stay open");
    }

    private static HttpResponse<String> get(HttpClient http, URI uri, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET();
        if (token != null) b.header("authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static SSLContext trusting() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(TlsTestResource.issued().ca())) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }
}
