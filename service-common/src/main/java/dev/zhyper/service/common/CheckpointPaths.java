package dev.zhyper.service.common;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one reading of a checkpoint location (the {@code uri} of a CheckpointEvent, a configured checkpoint
 * directory): a {@code file:} URI (scheme case-insensitive) or a plain local path; other schemes are refused. With
 * roots ({@code zhyper.checkpoints.roots}), {@link #confine} accepts only directories under them (symbolic links
 * resolved) and refuses everything else with one message that names no path — a checkpoint event cannot be used to
 * probe the server's disk. Used by the hypernet, the generator and the trainer.
 */
public final class CheckpointPaths {

    public static final String ROOTS = "zhyper.checkpoints.roots";
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):.*");

    /** Refusal of a location outside the roots (or missing): never carries the location or a cause naming it. */
    public static final class OutsideRootsException extends IllegalArgumentException {
        OutsideRootsException(String message) {
            super(message);
        }
    }

    private final ConfinedRoots roots;

    public CheckpointPaths(ConfinedRoots roots) {
        this.roots = roots;
    }

    /** The roots of {@code zhyper.checkpoints.roots} (comma-separated). */
    public static CheckpointPaths fromConfig(String roots) {
        return new CheckpointPaths(ConfinedRoots.parse(ROOTS, roots));
    }

    public ConfinedRoots roots() {
        return roots;
    }

    /**
     * The local path of a location: {@code file:///x} (any case of "file"), or a plain path. A Windows drive letter
     * is not a scheme here (Linux services). IllegalArgumentException for another scheme or a malformed URI; the
     * message names the scheme only.
     */
    public static Path parse(String uriOrPath) {
        String t = uriOrPath == null ? "" : uriOrPath.trim();
        if (t.isEmpty()) throw new IllegalArgumentException("empty checkpoint location");
        var m = SCHEME.matcher(t);
        if (m.matches()) {
            String scheme = m.group(1).toLowerCase(Locale.ROOT);
            if (!scheme.equals("file")) {
                throw new IllegalArgumentException("unsupported checkpoint URI scheme '" + scheme
                        + "' (only file: URIs and plain paths)");
            }
            try {
                return Path.of(URI.create("file" + t.substring(4)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("malformed file: URI for a checkpoint");
            }
        }
        return Path.of(t);
    }

    /**
     * The real path of the checkpoint directory a location names, which must lie under the roots.
     *
     * @throws OutsideRootsException for a location outside the roots, through a link leading outside, or missing;
     *                               the message is the same for all of them and names no path
     * @throws IllegalArgumentException for an unparsable location
     */
    public Path confine(String uriOrPath) {
        Path p = parse(uriOrPath);
        return roots.inside(p).orElseThrow(() -> new OutsideRootsException(
                "the checkpoint location is not an existing directory under " + roots.key()));
    }
}
