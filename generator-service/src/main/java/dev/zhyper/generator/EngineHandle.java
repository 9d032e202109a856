package dev.zhyper.generator;

import dev.zhyper.core.engine.ZhyperEngine;
import org.jboss.logging.Logger;

/**
 * A reference-counted engine (one checkpoint's adapter over the shared base). Requests {@link #acquire} it when
 * they are admitted and {@link #release} it when their batch ends; a hot swap {@link #retire}s it, and the engine
 * is closed when it is retired and no request holds it any more — in-flight batches finish on the old engine.
 */
public final class EngineHandle {

    private static final Logger LOG = Logger.getLogger(EngineHandle.class);

    private final ZhyperEngine engine;
    private final String checkpointId;
    private final String fingerprint;
    private final boolean closeOnRetire;
    private int refs;
    private boolean retired;
    private boolean closed;

    /**
     * @param closeOnRetire false for the base-only engine, which owns the base model and lives until shutdown
     */
    public EngineHandle(ZhyperEngine engine, String fingerprint, boolean closeOnRetire) {
        this.engine = engine;
        this.checkpointId = engine.checkpointId();
        this.fingerprint = fingerprint;
        this.closeOnRetire = closeOnRetire;
    }

    public ZhyperEngine engine() {
        return engine;
    }

    /** Checkpoint id, or null for the base model. */
    public String checkpointId() {
        return checkpointId;
    }

    /** Hex SHA-256 of the checkpoint's manifest.json, or null for the base model. */
    public String fingerprint() {
        return fingerprint;
    }

    /** Takes a reference; false if the engine was already retired (the caller re-reads the arm's current one). */
    public synchronized boolean acquire() {
        if (retired) return false;
        refs++;
        return true;
    }

    public synchronized void release() {
        if (refs <= 0) throw new IllegalStateException("release without acquire");
        refs--;
        maybeClose();
    }

    /** No new requests; closes the engine once the last holder releases it. */
    public synchronized void retire() {
        retired = true;
        maybeClose();
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    public synchronized int refs() {
        return refs;
    }

    private void maybeClose() {
        if (retired && refs == 0 && !closed && closeOnRetire) {
            closed = true;
            LOG.infof("closing retired engine of checkpoint %s", checkpointId);
            engine.close();
        }
    }
}
