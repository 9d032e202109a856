package dev.zhyper.embedder;

import dev.zhyper.proto.v1.EmbedRequest;
import dev.zhyper.proto.v1.EmbedResponse;
import dev.zhyper.proto.v1.EmbedderGrpc;
import dev.zhyper.service.common.TestCertificates;
import dev.zhyper.service.common.TlsTestResource;
import dev.zhyper.service.common.security.AccessPolicy;
import dev.zhyper.service.common.security.GrpcClientSecurity;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedder with TLS (certificates made by this test), the plaintext port closed, client certificates asked for
 * (mutual TLS optional) and auth on: real grpc-java clients built by service-common's GrpcClientSecurity (the class
 * the generator and hypernet use for their internal clients) call it over TLS with a token or a client certificate;
 * missing or unknown credentials are UNAUTHENTICATED, a role too low PERMISSION_DENIED, plaintext does not connect.
 */
@QuarkusTest
@TestProfile(SecureEmbedderTest.Secure.class)
class SecureEmbedderTest {

    static final String INFERENCE_TOKEN = "inference-token-for-tests";
    static final String CLIENT_SUBJECT = TlsTestResource.CLIENT_SUBJECT;

    /** TLS (TlsTestResource) + auth on this test's own application instance. */
    public static class Secure implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("zhyper.auth.enabled", "true",
                    "zhyper.auth.tokens", "inference:sha256:" + AccessPolicy.sha256Hex(INFERENCE_TOKEN),
                    "zhyper.auth.subjects", "inference:" + CLIENT_SUBJECT);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TlsTestResource.class));
        }
    }

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    private static final List<ManagedChannel> CHANNELS = new java.util.ArrayList<>();

    private EmbedderGrpc.EmbedderBlockingStub stub(Function<TestCertificates.Issued, GrpcClientSecurity> how) {
        GrpcClientSecurity s = how.apply(TlsTestResource.issued());
        ManagedChannel ch = s.channel("localhost:" + https.getPort(), 16 << 20);
        synchronized (CHANNELS) {
            CHANNELS.add(ch);
        }
        return s.authorize(EmbedderGrpc.newBlockingStub(ch)).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private static GrpcClientSecurity tls(TestCertificates.Issued i, String token) {
        return new GrpcClientSecurity(true, i.ca().toString(), null, null, token);
    }

    private static final EmbedRequest REQUEST = EmbedRequest.newBuilder().addTexts("act as a geography expert").build();

    @Test
    void overTlsATokenOfTheRightRoleEmbeds() {
        EmbedResponse r = stub(i -> tls(i, INFERENCE_TOKEN)).embed(REQUEST);
        assertEquals(384, r.getDim());
        assertEquals(1, r.getVectorsCount());
    }

    @Test
    void aClientCertificateWithAKnownSubjectIsAnIdentity() {
        EmbedResponse r = stub(i -> new GrpcClientSecurity(true, i.ca().toString(), i.cert("client").toString(),
                i.key("client").toString(), null)).embed(REQUEST);
        assertEquals(384, r.getDim());
    }

    @Test
    void missingOrUnknownCredentialsAreUnauthenticated() {
        assertCode(Status.Code.UNAUTHENTICATED, () -> stub(i -> tls(i, null)).embed(REQUEST));
        assertCode(Status.Code.UNAUTHENTICATED, () -> stub(i -> tls(i, "not-a-token")).embed(REQUEST));
        // a certificate signed by the trusted CA, but its subject has no role
        assertCode(Status.Code.UNAUTHENTICATED, () -> stub(i -> new GrpcClientSecurity(true, i.ca().toString(),
                i.cert("stranger").toString(), i.key("stranger").toString(), null)).embed(REQUEST));
        // health stays open (probes)
        GrpcClientSecurity s = tls(TlsTestResource.issued(), null);
        ManagedChannel ch = s.channel("localhost:" + https.getPort(), 1 << 20);
        CHANNELS.add(ch);
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(ch)
                .check(HealthCheckRequest.newBuilder().build()).getStatus());
    }

    @Test
    void anAdminMethodWithAnInferenceTokenIsPermissionDenied() {
        // the guard decides before routing: an admin-only method (Trainer/StartJob) is refused for an inference
        // caller with PERMISSION_DENIED on any service
        GrpcClientSecurity s = tls(TlsTestResource.issued(), INFERENCE_TOKEN);
        ManagedChannel ch = s.channel("localhost:" + https.getPort(), 1 << 20);
        CHANNELS.add(ch);
        MethodDescriptor<byte[], byte[]> startJob = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("zhyper.v1.Trainer/StartJob")
                .setRequestMarshaller(Bytes.INSTANCE).setResponseMarshaller(Bytes.INSTANCE).build();
        StatusRuntimeException e = assertCode(Status.Code.PERMISSION_DENIED, () -> ClientCalls.blockingUnaryCall(
                ch, startJob, io.grpc.CallOptions.DEFAULT.withCallCredentials(s.callCredentials())
                        .withDeadlineAfter(30, TimeUnit.SECONDS), new byte[0]));
        assertTrue(e.getStatus().getDescription().contains("admin"), e.getStatus().getDescription());
    }

    @Test
    void plaintextDoesNotConnectToTheTlsPort() {
        assertCode(Status.Code.UNAVAILABLE, () -> stub(i -> new GrpcClientSecurity(false, null, null, null,
                INFERENCE_TOKEN)).withDeadlineAfter(20, TimeUnit.SECONDS).embed(REQUEST));
    }

    @AfterAll
    static void close() {
        synchronized (CHANNELS) {
            CHANNELS.forEach(ManagedChannel::shutdownNow);
        }
    }

    private static StatusRuntimeException assertCode(Status.Code code, org.junit.jupiter.api.function.Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), String.valueOf(e.getStatus()));
        return e;
    }

    enum Bytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
