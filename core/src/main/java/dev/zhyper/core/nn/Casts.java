package dev.zhyper.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Precision casts inside a forward pass. DJL's {@code toType} is not recorded by autograd (the result is
 * detached), so while gradients are being recorded a cast would silently cut the graph. Under autograd the
 * value therefore stays in its compute dtype; without autograd (inference) it is cast as asked. Training in
 * fp32 (or fp64) is unaffected; bf16/fp16 training then runs softmax and norms in the compute dtype.
 * See docs/adr/0003-casts-under-autograd.md.
 */
public final class Casts {
    private Casts() {}

    public static NDArray to(NDArray x, DataType type) {
        if (x.getDataType() == type || JniUtils.isGradMode()) {
            return x;
        }
        return x.toType(type, false);
    }
}
