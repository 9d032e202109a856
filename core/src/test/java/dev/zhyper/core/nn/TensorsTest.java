package dev.zhyper.core.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Autograd must not depend on when the garbage collector runs. The scalars and inputs it keeps for the backward
 * pass have to live in libtorch memory; DJL's own {@code x.mul(3.0)} wraps a Java buffer that is freed once
 * collected, and the backward pass then multiplies by whatever was written there since.
 */
class TensorsTest {

    @Test
    void scalarFactorSurvivesGarbageCollectionBeforeBackward() {
        float[] grad = gradientAfterChurn(x -> Tensors.mul(x, 3.0));
        assertArrayEquals(new float[] {3, 3, 3, 3}, grad);
    }

    @Test
    void inPlaceScalarAndDivisorSurviveGarbageCollection() {
        float[] grad = gradientAfterChurn(x -> Tensors.div(Tensors.muli(x.mul(x), 0.5), 4.0));
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f, 1f}, grad); // d/dx x²/8 = x/4
    }

    @Test
    void createdTensorsOwnTheirMemory() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Tensors.create(m, new float[] {1, 2, 3, 4}, new Shape(4));
            NDArray view = x.reshape(2, 2);
            x.close();
            churn();
            assertArrayEquals(new float[] {1, 2, 3, 4}, view.toFloatArray());
        }
    }

    /** Runs op on x = [1, 2, 3, 4], collects garbage and reuses freed native memory, then back-propagates sum(op(x)). */
    private static float[] gradientAfterChurn(UnaryOperator<NDArray> op) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Tensors.create(m, new float[] {1, 2, 3, 4}, new Shape(4));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = op.apply(x).sum();
                List<ByteBuffer> garbage = churn();
                gc.backward(loss);
                garbage.clear();
            }
            return x.getGradient().toFloatArray();
        }
    }

    /** Triggers collection (so freed direct buffers return to malloc) and refills small blocks with NaN bytes. */
    private static List<ByteBuffer> churn() {
        List<ByteBuffer> keep = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int i = 0; i < 2000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(8 + (i % 4) * 8);
                while (b.hasRemaining()) {
                    b.put((byte) 0x7f);
                }
                keep.add(b);
            }
        }
        return keep;
    }
}
