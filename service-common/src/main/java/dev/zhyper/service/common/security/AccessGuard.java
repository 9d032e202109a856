package dev.zhyper.service.common.security;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

/**
 * The one authentication and authorisation interceptor of every Zhyper service: a Vert.x route that runs before
 * every other route of the shared HTTP server, so it sees each HTTP request and each gRPC call (gRPC runs on the same
 * port, {@code quarkus.grpc.server.use-separate-server=false}). It asks {@link AccessPolicy} and lets the request
 * through, or answers it itself: HTTP 401 / 403 (OpenAI-style JSON error body), or for gRPC a trailers-only response
 * with {@code grpc-status} UNAUTHENTICATED (16) / PERMISSION_DENIED (7). The caller's identity is its bearer token or
 * the subject of the client certificate the TLS handshake verified ({@code quarkus.http.ssl.client-auth}).
 * A service installs it with {@code void auth(@Observes Router r) { AccessGuard.install(r, policy); }}.
 */
public final class AccessGuard implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger(AccessGuard.class);
    /** Route order: before GrpcStreamWatch (-10 000), the gRPC route and every API route. */
    public static final int ORDER = -20_000;

    private final AccessPolicy policy;

    public AccessGuard(AccessPolicy policy) {
        this.policy = policy;
    }

    /** Installs the guard on the router (nothing when the policy is disabled; that is logged). */
    public static void install(Router router, AccessPolicy policy) {
        if (!policy.enabled()) {
            LOG.warn("zhyper.auth.enabled=false: every gRPC call and HTTP request is accepted without credentials "
                    + "(only for the embedded loopback stack)");
            return;
        }
        if (policy.identities() == 0) {
            LOG.warn("zhyper.auth is on but neither zhyper.auth.tokens nor zhyper.auth.subjects is set: every guarded "
                    + "call is refused");
        }
        LOG.info("access policy: {}", policy);
        router.route().order(ORDER).handler(new AccessGuard(policy));
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        boolean grpc = isGrpc(req);
        Role required = grpc ? AccessPolicy.requiredForGrpc(req.path()) : AccessPolicy.requiredForHttp(req.path());
        if (required == null) {
            ctx.next();
            return;
        }
        AccessPolicy.Decision d = policy.decide(required, req.getHeader("authorization"), peerSubject(req));
        if (d.verdict() == AccessPolicy.Verdict.ALLOW) {
            ctx.next();
            return;
        }
        LOG.debug("refused {} {}: {}", req.method(), req.path(), d.message());
        if (grpc) refuseGrpc(ctx.response(), d);
        else refuseHttp(ctx.response(), d);
    }

    static boolean isGrpc(HttpServerRequest req) {
        String type = req.getHeader("content-type");
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/grpc");
    }

    /** The subject of the peer's verified certificate, or null (no TLS, or no client certificate). */
    static X500Principal peerSubject(HttpServerRequest req) {
        if (!req.isSSL()) return null;
        SSLSession s = req.sslSession();
        if (s == null) return null;
        try {
            Certificate[] chain = s.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x.getSubjectX500Principal() : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    private static void refuseGrpc(HttpServerResponse r, AccessPolicy.Decision d) {
        int code = d.verdict() == AccessPolicy.Verdict.UNAUTHENTICATED ? 16 : 7;
        // a trailers-only response: one HEADERS frame with END_STREAM carrying the status
        r.setStatusCode(200)
                .putHeader("content-type", "application/grpc")
                .putHeader("grpc-status", Integer.toString(code))
                .putHeader("grpc-message", URLEncoder.encode(d.message(), StandardCharsets.UTF_8).replace("+", "%20"))
                .end();
    }

    private static void refuseHttp(HttpServerResponse r, AccessPolicy.Decision d) {
        boolean unauth = d.verdict() == AccessPolicy.Verdict.UNAUTHENTICATED;
        if (unauth) r.putHeader("www-authenticate", "Bearer realm=\"zhyper\"");
        String type = unauth ? "authentication_error" : "permission_error";
        r.setStatusCode(unauth ? 401 : 403)
                .putHeader("content-type", "application/json")
                .end("{\"error\":{\"message\":\"" + d.message().replace("\\", "\\\\").replace("\"", "\\\"")
                        + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":\"" + (unauth ? "unauthenticated"
                        : "permission_denied") + "\"}}");
    }
}
