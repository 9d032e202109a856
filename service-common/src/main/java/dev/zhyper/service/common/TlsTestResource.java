package dev.zhyper.service.common;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * For tests of the services: a Quarkus test resource that makes a CA and certificates ({@link TestCertificates}:
 * "server" for localhost / 127.0.0.1, "client" with subject {@link #CLIENT_SUBJECT}, "stranger" with a subject no
 * policy knows) and serves the application over TLS only: the TLS registry's PEM key store and trust store, HTTPS
 * on a free port ({@code quarkus.http.test-ssl-port=0}), the plaintext port closed. Client certificates are asked
 * for by the services' {@code quarkus.http.ssl.client-auth=request} (a build-time key). Use it from a test profile's
 * {@code testResources()}; the files are in {@link #issued()}.
 */
public class TlsTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String CLIENT_SUBJECT = "CN=zhyper-test-client,O=zhyper-test";

    private static volatile TestCertificates.Issued issued;

    /** The certificates of the running test application. */
    public static TestCertificates.Issued issued() {
        if (issued != null) return issued;
        // the resource may have run in another class loader: the directory is also a system property
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir == null) throw new IllegalStateException("TlsTestResource has not started");
        java.nio.file.Path d = java.nio.file.Path.of(dir);
        return new TestCertificates.Issued(d.resolve("ca.pem"), d);
    }

    static final String DIR_PROPERTY = "zhyper.test.tls.dir";

    @Override
    public Map<String, String> start() {
        try {
            issued = TestCertificates.create(Files.createTempDirectory("zhyper-tls-test"), List.of(
                    new TestCertificates.Leaf("server", "CN=localhost", "dns:localhost,ip:127.0.0.1"),
                    new TestCertificates.Leaf("client", CLIENT_SUBJECT, null),
                    new TestCertificates.Leaf("stranger", "CN=stranger,O=zhyper-test", null)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty(DIR_PROPERTY, issued.dir().toString());
        Map<String, String> c = new HashMap<>();
        c.put("quarkus.tls.key-store.pem.0.cert", issued.cert("server").toString());
        c.put("quarkus.tls.key-store.pem.0.key", issued.key("server").toString());
        c.put("quarkus.tls.trust-store.pem.certs", issued.ca().toString());
        c.put("quarkus.http.insecure-requests", "disabled");
        c.put("quarkus.http.test-ssl-port", "0");
        return c;
    }

    @Override
    public void stop() {
    }
}
