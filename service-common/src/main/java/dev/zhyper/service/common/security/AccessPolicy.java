package dev.zhyper.service.common.security;

import javax.security.auth.x500.X500Principal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Who may call what (pure Java; {@link AccessGuard} applies it to every HTTP request and gRPC call of a service).
 *
 * <p>A caller is identified by a bearer token ({@code authorization: Bearer <token>}, HTTP header or gRPC metadata)
 * or, without one, by the subject of its verified TLS client certificate (mutual TLS). Tokens are kept only as
 * SHA-256 hashes and compared in constant time. Configuration (read by {@link #fromConfig}):
 * <ul>
 *   <li>{@code zhyper.auth.enabled} (default true): false lets every call through (the embedded loopback stack);</li>
 *   <li>{@code zhyper.auth.tokens}: {@code role:token} entries separated by {@code ;}, the token either as
 *       {@code sha256:<64 hex digits>} (preferred: {@code printf %s "$TOKEN" | sha256sum}) or in plain text;</li>
 *   <li>{@code zhyper.auth.subjects}: {@code role:<X.500 subject>} entries separated by {@code ;}, e.g.
 *       {@code inference:CN=generator,O=zhyper;admin:CN=ops,O=zhyper} (compared as canonical X.500 names).</li>
 * </ul>
 */
public final class AccessPolicy {

    public static final String ENABLED = "zhyper.auth.enabled";
    public static final String TOKENS = "zhyper.auth.tokens";
    public static final String SUBJECTS = "zhyper.auth.subjects";

    /** The outcome of one check. */
    public enum Verdict { ALLOW, UNAUTHENTICATED, PERMISSION_DENIED }

    /** A verdict and, for refusals, the message the caller gets (never a token or a server path). */
    public record Decision(Verdict verdict, String message) {
        static final Decision ALLOW = new Decision(Verdict.ALLOW, "");
    }

    private record TokenEntry(byte[] sha256, Role role) { }

    private final boolean enabled;
    private final List<TokenEntry> tokens;
    private final Map<X500Principal, Role> subjects;

    private AccessPolicy(boolean enabled, List<TokenEntry> tokens, Map<X500Principal, Role> subjects) {
        this.enabled = enabled;
        this.tokens = List.copyOf(tokens);
        this.subjects = Map.copyOf(subjects);
    }

    /** Lets everything through. */
    public static AccessPolicy disabled() {
        return new AccessPolicy(false, List.of(), Map.of());
    }

    /** The policy of {@code zhyper.auth.*}; throws IllegalArgumentException on a malformed entry (naming no token). */
    public static AccessPolicy fromConfig(Function<String, String> config) {
        String on = config.apply(ENABLED);
        if (on != null && !on.isBlank() && !Boolean.parseBoolean(on.trim())) return disabled();
        return of(config.apply(TOKENS), config.apply(SUBJECTS));
    }

    /** An enabled policy from the two entry lists (either may be null or blank). */
    public static AccessPolicy of(String tokenEntries, String subjectEntries) {
        List<TokenEntry> tokens = new ArrayList<>();
        int n = 0;
        for (String entry : entries(tokenEntries)) {
            n++;
            int i = entry.indexOf(':');
            if (i <= 0 || i == entry.length() - 1) {
                throw new IllegalArgumentException(TOKENS + " entry " + n + " is not role:token");
            }
            Role role = Role.parse(entry.substring(0, i));
            String t = entry.substring(i + 1).trim();
            byte[] hash;
            if (t.regionMatches(true, 0, "sha256:", 0, 7)) {
                String hex = t.substring(7).trim();
                if (!hex.matches("[0-9a-fA-F]{64}")) {
                    throw new IllegalArgumentException(TOKENS + " entry " + n + ": sha256: needs 64 hex digits");
                }
                hash = HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
            } else {
                hash = sha256(t);
            }
            tokens.add(new TokenEntry(hash, role));
        }
        Map<X500Principal, Role> subjects = new LinkedHashMap<>();
        n = 0;
        for (String entry : entries(subjectEntries)) {
            n++;
            int i = entry.indexOf(':');
            if (i <= 0 || i == entry.length() - 1) {
                throw new IllegalArgumentException(SUBJECTS + " entry " + n + " is not role:subject");
            }
            Role role = Role.parse(entry.substring(0, i));
            X500Principal p;
            try {
                p = new X500Principal(entry.substring(i + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(SUBJECTS + " entry " + n + " is not an X.500 name: " + e.getMessage());
            }
            subjects.merge(p, role, (a, b) -> a == Role.ADMIN || b == Role.ADMIN ? Role.ADMIN : a);
        }
        return new AccessPolicy(true, tokens, subjects);
    }

    private static List<String> entries(String list) {
        List<String> out = new ArrayList<>();
        if (list == null) return out;
        for (String e : list.split(";")) {
            if (!e.isBlank()) out.add(e.trim());
        }
        return out;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Configured identities (tokens + subjects): an enabled policy without any refuses every guarded call. */
    public int identities() {
        return tokens.size() + subjects.size();
    }

    /**
     * The role a gRPC method ({@code /package.Service/Method}, the HTTP/2 path of the call) needs, or null when it
     * is public (the standard health service). Anything not listed needs {@link Role#ADMIN}.
     */
    public static Role requiredForGrpc(String path) {
        String m = path == null ? "" : path.startsWith("/") ? path.substring(1) : path;
        if (m.startsWith("grpc.health.v1.Health/")) return null;
        return switch (m) {
            case "zhyper.v1.Generator/Generate", "zhyper.v1.Generator/GenerateStream",
                 "zhyper.v1.Hypernet/Modulate", "zhyper.v1.Embedder/Embed" -> Role.INFERENCE;
            default -> Role.ADMIN;
        };
    }

    /**
     * The role an HTTP request path needs, or null when public: {@code /q/*} (health probes, metrics) and the
     * playground page {@code /playground}; {@code /v1/*} (OpenAI API) and {@code /zhyper/v1/*} (playground JSON) need
     * {@link Role#INFERENCE}; anything else (e.g. {@code /canary}) {@link Role#ADMIN}.
     */
    public static Role requiredForHttp(String path) {
        String p = path == null ? "/" : path;
        if (p.equals("/q") || p.startsWith("/q/") || p.equals("/playground") || p.startsWith("/playground/")) {
            return null;
        }
        if (p.equals("/v1") || p.startsWith("/v1/") || p.startsWith("/zhyper/v1/")) return Role.INFERENCE;
        return Role.ADMIN;
    }

    /**
     * Decides one call needing {@code required} (null = public): the bearer token of {@code authorization} (the
     * header's value, may be null) when present, else the verified client certificate subject {@code peer} (may be
     * null).
     */
    public Decision decide(Role required, String authorization, X500Principal peer) {
        if (!enabled || required == null) return Decision.ALLOW;
        Role role;
        if (authorization != null && !authorization.isBlank()) {
            String a = authorization.trim();
            if (!a.regionMatches(true, 0, "Bearer ", 0, 7) || a.substring(7).isBlank()) {
                return new Decision(Verdict.UNAUTHENTICATED, "the authorization header must be 'Bearer <token>'");
            }
            role = roleOfToken(a.substring(7).trim());
            if (role == null) return new Decision(Verdict.UNAUTHENTICATED, "unknown bearer token");
        } else if (peer != null && subjects.containsKey(peer)) {
            role = subjects.get(peer);
        } else if (peer != null) {
            return new Decision(Verdict.UNAUTHENTICATED, "the client certificate's subject has no role "
                    + "and no bearer token was sent");
        } else {
            return new Decision(Verdict.UNAUTHENTICATED, "authentication required: send 'authorization: Bearer "
                    + "<token>' or a client certificate");
        }
        if (role.covers(required)) return Decision.ALLOW;
        return new Decision(Verdict.PERMISSION_DENIED, "role '" + required.label() + "' required, the caller has '"
                + role.label() + "'");
    }

    /** The role of a presented token, or null; hashes every configured token (no early exit). */
    private Role roleOfToken(String token) {
        byte[] h = sha256(token);
        Role found = null;
        for (TokenEntry e : tokens) {
            if (MessageDigest.isEqual(h, e.sha256()) && (found == null || e.role() == Role.ADMIN)) found = e.role();
        }
        return found;
    }

    /** Lower-case hex SHA-256 of a token's UTF-8 bytes (the form zhyper.auth.tokens takes after "sha256:"). */
    public static String sha256Hex(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return enabled ? "auth on (" + tokens.size() + " tokens, " + subjects.size() + " certificate subjects)"
                : "auth off";
    }
}
