package dev.zhyper.core.nn;

import ai.djl.ndarray.NDArray;

/**
 * A named tensor of the model. Trainable parameters carry a gradient while a
 * {@link ai.djl.training.GradientCollector} is open; frozen ones never do.
 */
public final class Parameter {
    private final String name;
    private NDArray array;
    private final boolean trainable;

    public Parameter(String name, NDArray array, boolean trainable) {
        this.name = name;
        this.array = array;
        this.trainable = trainable;
        array.setName(name);
    }

    public String name() { return name; }

    public NDArray array() { return array; }

    public boolean trainable() { return trainable; }

    /** Replaces the values in place (same shape and dtype); the NDArray identity is kept. */
    public void assign(NDArray values) {
        if (!values.getShape().equals(array.getShape())) {
            throw new IllegalArgumentException("parameter " + name + ": shape " + values.getShape()
                    + " does not match " + array.getShape());
        }
        array.set(values.toType(array.getDataType(), false).toByteBuffer());
    }

    /** Number of scalar values. */
    public long size() { return array.size(); }
}
