package dev.zhyper.generator;

import dev.zhyper.proto.v1.GenerationEvent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * What a GenerationEvent carries of the user's text ({@code zhyper.generator.events.content}): FULL (context, prompt
 * and output as they were), HASH ({@code sha256:<hex>} of each non-empty one: joins and de-duplication without the
 * text), NONE (empty). Request id, arm, checkpoint, latency, tokens and finish reason are always there: the canary
 * joins feedback by request id to arm and checkpoint only.
 */
public enum EventContent {
    FULL,
    HASH,
    NONE;

    public static EventContent parse(String s) {
        String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "full", "" -> FULL;
            case "hash" -> HASH;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException("zhyper.generator.events.content must be full, hash or none, "
                    + "got '" + s + "'");
        };
    }

    /** Sets context, prompt and output of {@code b} as this setting says. */
    public GenerationEvent.Builder apply(GenerationEvent.Builder b, String context, String prompt, String output) {
        return b.setContext(text(context)).setPrompt(text(prompt)).setOutput(text(output));
    }

    String text(String s) {
        if (s == null || s.isEmpty()) return "";
        return switch (this) {
            case FULL -> s;
            case HASH -> "sha256:" + sha256(s);
            case NONE -> "";
        };
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
