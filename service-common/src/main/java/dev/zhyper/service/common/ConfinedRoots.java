package dev.zhyper.service.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Directories that paths named by requests and events must lie in. A path is inside when it is under a root both
 * as written (normalised, {@code ..} resolved) and after resolving every symbolic link ({@link Path#toRealPath}), so a
 * link inside a root that points outside does not count. Whether a path outside the roots exists is never told:
 * {@link #resolve} answers "outside" for it either way.
 */
public final class ConfinedRoots {

    /** What {@link #resolve} found. */
    public enum Where { INSIDE, MISSING_INSIDE, OUTSIDE }

    /** The outcome: for INSIDE the real path. */
    public record Resolved(Where where, Path real) { }

    private final String key;
    private final List<Path> roots;

    /** Roots as given (relative ones against the working directory); {@code key} names them in messages. */
    public ConfinedRoots(String key, List<Path> roots) {
        if (roots.isEmpty()) throw new IllegalArgumentException(key + " names no directory");
        this.key = key;
        List<Path> r = new ArrayList<>();
        for (Path p : roots) r.add(p.toAbsolutePath().normalize());
        this.roots = List.copyOf(r);
    }

    /** Comma-separated directories (blank entries ignored). */
    public static ConfinedRoots parse(String key, String commaSeparated) {
        List<Path> r = new ArrayList<>();
        if (commaSeparated != null) {
            for (String s : commaSeparated.split(",")) if (!s.isBlank()) r.add(Path.of(s.trim()));
        }
        return new ConfinedRoots(key, r);
    }

    public String key() {
        return key;
    }

    public List<Path> roots() {
        return roots;
    }

    /** The first root (where relative request paths are resolved). */
    public Path first() {
        return roots.get(0);
    }

    /**
     * Where {@code p} (relative: against the working directory) lies. MISSING_INSIDE only for a path that is inside
     * as written and does not exist; a missing path outside, or one leading outside through a link, is OUTSIDE.
     */
    public Resolved resolve(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        boolean lexicallyInside = false;
        for (Path root : roots) {
            if (abs.startsWith(root) || abs.startsWith(real(root))) lexicallyInside = true;
        }
        if (!lexicallyInside) return new Resolved(Where.OUTSIDE, null);
        Path real;
        try {
            real = abs.toRealPath();
        } catch (IOException e) {
            return new Resolved(Files.isSymbolicLink(abs) ? Where.OUTSIDE : Where.MISSING_INSIDE, null);
        }
        for (Path root : roots) {
            if (real.startsWith(real(root))) return new Resolved(Where.INSIDE, real);
        }
        return new Resolved(Where.OUTSIDE, null);
    }

    private static Path real(Path root) {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            return root;
        }
    }

    /** Like {@link #resolve} but only INSIDE is accepted: the real path, else empty. */
    public Optional<Path> inside(Path p) {
        Resolved r = resolve(p);
        return r.where() == Where.INSIDE ? Optional.of(r.real()) : Optional.empty();
    }
}
