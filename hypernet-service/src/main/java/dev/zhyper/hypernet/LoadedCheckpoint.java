package dev.zhyper.hypernet;

import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.embed.Embedder;
import dev.zhyper.core.checkpoint.AdapterCheckpoint;

import java.nio.file.Path;

/**
 * One loaded adapter checkpoint with a reference count. Requests {@link #tryAcquire()} it for the duration of their
 * work and {@link #release()} it afterwards; the registry {@link #retire()}s it when it is unloaded. The adapter's
 * native memory is freed when it is retired AND no request uses it any more, so a request that started on an old
 * checkpoint always finishes on it.
 */
public final class LoadedCheckpoint {

    private final String id;
    private final String fingerprint;
    private final long step;
    private final Path dir;
    private final ZhyperAdapter adapter;
    private final AdapterCheckpoint.EmbedderInfo embedder;
    /** One-hot embedder over the checkpoint's labels (always local), or null for MiniLM checkpoints. */
    private final Embedder labelEmbedder;

    private int refs;
    private boolean retired;
    private boolean closed;

    LoadedCheckpoint(String id, String fingerprint, long step, Path dir, ZhyperAdapter adapter,
                     AdapterCheckpoint.EmbedderInfo embedder, Embedder labelEmbedder) {
        this.id = id;
        this.fingerprint = fingerprint;
        this.step = step;
        this.dir = dir;
        this.adapter = adapter;
        this.embedder = embedder;
        this.labelEmbedder = labelEmbedder;
    }

    public String id() { return id; }

    /** Hex sha256 of the checkpoint's manifest.json ({@code Checkpoint.fingerprint()}). */
    public String fingerprint() { return fingerprint; }

    public long step() { return step; }

    public Path dir() { return dir; }

    public ZhyperAdapter adapter() { return adapter; }

    public AdapterMethod method() { return adapter.spec().method(); }

    /** The description encoder the hypernetwork was trained with (null for MTL checkpoints without one). */
    public AdapterCheckpoint.EmbedderInfo embedder() { return embedder; }

    public Embedder labelEmbedder() { return labelEmbedder; }

    /** Dimension of the embeddings the hypernetwork takes (0 for MTL). */
    public int embedDim() {
        return adapter.hyperSpec() == null ? 0 : adapter.hyperSpec().embedDim();
    }

    /** Takes a reference; false if the checkpoint has been retired. */
    synchronized boolean tryAcquire() {
        if (retired) return false;
        refs++;
        return true;
    }

    synchronized void release() {
        if (refs <= 0) throw new IllegalStateException("release without acquire on checkpoint " + id);
        refs--;
        if (retired && refs == 0) closeNow();
    }

    /** Marks it unloaded; frees it now if unused, otherwise when the last request releases it. */
    synchronized void retire() {
        retired = true;
        if (refs == 0) closeNow();
    }

    public synchronized boolean isClosed() { return closed; }

    public synchronized int references() { return refs; }

    private void closeNow() {
        if (closed) return;
        closed = true;
        adapter.close();
        if (labelEmbedder != null) {
            try {
                labelEmbedder.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    /** A reference held by one request; closing it releases the reference. */
    public static final class Lease implements AutoCloseable {
        private final LoadedCheckpoint checkpoint;
        private boolean released;

        Lease(LoadedCheckpoint checkpoint) {
            this.checkpoint = checkpoint;
        }

        public LoadedCheckpoint checkpoint() { return checkpoint; }

        @Override
        public void close() {
            if (!released) {
                released = true;
                checkpoint.release();
            }
        }
    }

    @Override
    public String toString() {
        return "LoadedCheckpoint[" + id + ", step " + step + ", " + dir + "]";
    }
}
