package dev.zhyper.core.nn;

import ai.djl.pytorch.jni.JniUtils;

/** Disables autograd recording on this thread for the scope (inference on trainable parameters). */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;

    public NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    @Override
    public void close() { JniUtils.setGradMode(previous); }
}
