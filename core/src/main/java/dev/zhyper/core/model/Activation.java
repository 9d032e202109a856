package dev.zhyper.core.model;

import ai.djl.ndarray.NDArray;
import dev.zhyper.core.nn.Tensors;

/** Gate activations of the gated MLP. */
public enum Activation {
    SILU {
        @Override public NDArray apply(NDArray x) { return x.mul(ai.djl.nn.Activation.sigmoid(x)); }
    },
    /** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), HF's gelu_pytorch_tanh. */
    GELU_TANH {
        @Override public NDArray apply(NDArray x) {
            NDArray inner = Tensors.muli(Tensors.muli(x.mul(x).muli(x), 0.044715).addi(x), Math.sqrt(2.0 / Math.PI));
            return Tensors.muli(Tensors.add(inner.tanh(), 1).muli(x), 0.5); // tanh keeps its output for backward: no in-place on it
        }
    },
    /** Exact erf GELU. */
    GELU {
        @Override public NDArray apply(NDArray x) {
            return Tensors.muli(Tensors.addi(Tensors.div(x, Math.sqrt(2.0)).erf(), 1).muli(x), 0.5);
        }
    };

    public abstract NDArray apply(NDArray x);
}
