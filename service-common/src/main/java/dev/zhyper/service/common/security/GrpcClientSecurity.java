package dev.zhyper.service.common.security;

import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * How a service's internal gRPC clients (generator → hypernet, hypernet → embedder) reach the other services:
 * plaintext or TLS (the server verified against {@code trust-certs}, or the JVM's trust store without it; a client
 * certificate for mutual TLS), and the bearer token they send. Keys ({@link #fromConfig}):
 * {@code zhyper.grpc.client.tls} (default false), {@code zhyper.grpc.client.trust-certs} (PEM CA file),
 * {@code zhyper.grpc.client.cert} + {@code zhyper.grpc.client.key} (PEM client certificate chain and PKCS#8 key),
 * {@code zhyper.grpc.client.token} (sent as {@code authorization: Bearer <token>}).
 */
public record GrpcClientSecurity(boolean tls, String trustCerts, String cert, String key, String token) {

    public static final String PREFIX = "zhyper.grpc.client.";
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** Plaintext, no token (the loopback stack). */
    public static final GrpcClientSecurity PLAINTEXT = new GrpcClientSecurity(false, null, null, null, null);

    public GrpcClientSecurity {
        trustCerts = blankToNull(trustCerts);
        cert = blankToNull(cert);
        key = blankToNull(key);
        token = blankToNull(token);
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException(PREFIX + "cert and " + PREFIX + "key go together");
        }
        if (!tls && (trustCerts != null || cert != null)) {
            throw new IllegalArgumentException(PREFIX + "trust-certs / cert need " + PREFIX + "tls=true");
        }
    }

    public static GrpcClientSecurity fromConfig(Function<String, String> config) {
        String tls = config.apply(PREFIX + "tls");
        return new GrpcClientSecurity(tls != null && Boolean.parseBoolean(tls.trim()), config.apply(PREFIX + "trust-certs"),
                config.apply(PREFIX + "cert"), config.apply(PREFIX + "key"), config.apply(PREFIX + "token"));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The channel credentials: insecure, or TLS with the configured trust and client certificate. */
    public ChannelCredentials channelCredentials() {
        if (!tls) return InsecureChannelCredentials.create();
        try {
            TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
            if (trustCerts != null) b.trustManager(new File(trustCerts));
            if (cert != null) b.keyManager(new File(cert), new File(key));
            return b.build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the gRPC client's TLS files (" + PREFIX + "*)", e);
        }
    }

    /** The bearer token as call credentials, or null without a token. */
    public CallCredentials callCredentials() {
        if (token == null) return null;
        String value = "Bearer " + token;
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata m = new Metadata();
                m.put(AUTHORIZATION, value);
                applier.apply(m);
            }
        };
    }

    /** A channel to {@code host:port} with these settings; stubs must still carry {@link #callCredentials()}. */
    public ManagedChannel channel(String target, int maxInboundMessageSize) {
        return Grpc.newChannelBuilder(target.trim(), channelCredentials())
                .maxInboundMessageSize(maxInboundMessageSize).build();
    }

    /** A stub carrying the token (unchanged without one). */
    public <S extends io.grpc.stub.AbstractStub<S>> S authorize(S stub) {
        CallCredentials c = callCredentials();
        return c == null ? stub : stub.withCallCredentials(c);
    }

    @Override
    public String toString() {
        return (tls ? "TLS" + (cert != null ? " with a client certificate" : "") : "plaintext")
                + (token != null ? ", bearer token" : "");
    }
}
