package dev.zhyper.service.common.security;

import java.util.Locale;

/**
 * What a caller may do. {@link #INFERENCE}: Generate, GenerateStream, Modulate, Embed, the OpenAI-compatible HTTP API
 * ({@code /v1/*}) and the playground's JSON endpoints ({@code /zhyper/v1/*}). {@link #ADMIN}: everything else a
 * service serves (the Trainer service, RegisterContext, ExportPeft, {@code GET /canary}, gRPC reflection); an admin
 * may also do inference.
 */
public enum Role {
    INFERENCE,
    ADMIN;

    /** Whether a caller holding this role may do what {@code required} guards. */
    public boolean covers(Role required) {
        return this == ADMIN || this == required;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String s) {
        String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "inference" -> INFERENCE;
            case "admin" -> ADMIN;
            default -> throw new IllegalArgumentException("unknown role '" + s + "' (inference or admin)");
        };
    }
}
