package dev.zhyper.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The file-system steps of crash-safe writes, shared by checkpoints and adapter exports: write a file and fsync
 * it, fsync a directory, rename atomically, delete a tree.
 */
public final class DurableFiles {
    private DurableFiles() {}

    /** A random hex suffix for temporary names. */
    public static String randomHex() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    /** Renames atomically; fails if the file system cannot. */
    public static void atomicMove(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException(to + ": the file system does not support atomic rename", e);
        }
    }

    /** Creates {@code file} (it must not exist), writes the bytes and fsyncs it. */
    public static void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    /** Replaces {@code file} atomically: the bytes go to a synced sibling temporary file that is then renamed. */
    public static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + randomHex() + ".tmp");
        try {
            writeSynced(tmp, bytes);
            atomicMove(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            syncDirectory(parent, false);
        }
    }

    /**
     * fsync of a directory. Not possible on every platform, so other failures are ignored; a missing directory
     * is an error only when {@code mustExist}.
     */
    public static void syncDirectory(Path dir, boolean mustExist) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (NoSuchFileException e) {
            if (mustExist) {
                throw e;
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: directories cannot be opened/forced on some platforms
        }
    }

    /**
     * Publishes a finished directory: moves {@code tmp} to {@code target} by an atomic rename. An existing target
     * is first renamed aside to a hidden {@code oldPrefix + name + "-" + hex} sibling, put back if the move fails,
     * and deleted afterwards, so the target is never half-written (it is absent only between the two renames).
     */
    public static void publishDirectory(Path tmp, Path target, String oldPrefix) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Path old = parent.resolve(oldPrefix + target.getFileName() + "-" + randomHex());
            atomicMove(target, old);
            boolean moved = false;
            try {
                atomicMove(tmp, target);
                moved = true;
            } finally {
                if (!moved) {
                    atomicMove(old, target);
                }
            }
            syncDirectory(parent, false);
            try {
                deleteRecursively(old);
            } catch (IOException ignored) {
                // the new directory is in place; a hidden leftover is harmless and skipped by readers
            }
        } else {
            atomicMove(tmp, target);
            syncDirectory(parent, false);
        }
    }

    /** Deletes a file or directory tree (symbolic links are removed, not followed); absent is fine. */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
