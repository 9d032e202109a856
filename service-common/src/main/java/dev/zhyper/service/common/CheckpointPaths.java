package dev.zhyper.service.common;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
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
    /** Directories the operator configured outright (normalised absolute paths): accepted as they are. */
    private final java.util.Set<Path> configured;

    public CheckpointPaths(ConfinedRoots roots) {
        this(roots, List.of());
    }

    /**
     * @param configured checkpoint directories the operator configured ({@code zhyper.checkpoint.dir}): an event
     *                   naming exactly one of them is accepted too (e.g. a rollback to the checkpoint served at start),
     *                   nothing below or beside it
     */
    public CheckpointPaths(ConfinedRoots roots, List<Path> configured) {
        this.roots = roots;
        java.util.Set<Path> c = new java.util.HashSet<>();
        for (Path p : configured) c.add(p.toAbsolutePath().normalize());
        this.configured = java.util.Set.copyOf(c);
    }

    /** The roots of {@code zhyper.checkpoints.roots} (comma-separated). */
    public static CheckpointPaths fromConfig(String roots) {
        return new CheckpointPaths(ConfinedRoots.parse(ROOTS, roots));
    }

    /** As {@link #fromConfig(String)}, also accepting the configured checkpoint directory when there is one. */
    public static CheckpointPaths fromConfig(String roots, java.util.Optional<String> configuredDir) {
        List<Path> c = configuredDir.filter(d -> !d.isBlank()).map(d -> List.of(parse(d))).orElse(List.of());
        return new CheckpointPaths(ConfinedRoots.parse(ROOTS, roots), c);
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
        java.util.Optional<Path> inside = roots.inside(p);
        if (inside.isPresent()) return inside.get();
        if (configured.contains(p.toAbsolutePath().normalize())) {
            try {
                return p.toRealPath(); // the operator's own directory: its existence is no secret
            } catch (java.io.IOException e) {
                // fall through to the one refusal
            }
        }
        throw new OutsideRootsException("the checkpoint location is not an existing directory under " + roots.key());
    }
}
