package dev.zhyper.core.nn;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IntraOpThreadsTest {

    @BeforeAll
    static void engine() {
        Engine.getEngine("PyTorch");
    }

    @Test
    void smallBatchesRunOnOneThreadAndBigWeightsGetTheCappedThreadsBack() {
        int before = JniUtils.getNumThreads();
        JniUtils.setNumThreads(2);
        try {
            try (IntraOpThreads rows = IntraOpThreads.forRows(1)) {
                assertEquals(1, JniUtils.getNumThreads());
                try (IntraOpThreads w = IntraOpThreads.forWeight(1 << 20, 4 << 20)) {
                    assertEquals(1, JniUtils.getNumThreads(), "a weight under the threshold stays on one thread");
                }
                try (IntraOpThreads w = IntraOpThreads.forWeight(8 << 20, 4 << 20)) {
                    assertEquals(2, JniUtils.getNumThreads(), "a big weight gets the capped count back");
                }
                assertEquals(1, JniUtils.getNumThreads());
                try (IntraOpThreads w = IntraOpThreads.forWeight(8 << 20, 0)) {
                    assertEquals(1, JniUtils.getNumThreads(), "threshold 0 is off");
                }
            }
            assertEquals(2, JniUtils.getNumThreads());
            try (IntraOpThreads w = IntraOpThreads.forWeight(8 << 20, 4 << 20)) {
                assertEquals(2, JniUtils.getNumThreads(), "outside a cap nothing changes");
            }
            try (IntraOpThreads rows = IntraOpThreads.forRows(IntraOpThreads.SINGLE_THREAD_ROWS + 1)) {
                assertEquals(2, JniUtils.getNumThreads(), "large batches keep the thread count");
                try (IntraOpThreads w = IntraOpThreads.forWeight(8 << 20, 4 << 20)) {
                    assertEquals(2, JniUtils.getNumThreads());
                }
            }
            try (IntraOpThreads outer = IntraOpThreads.forRows(1); IntraOpThreads inner = IntraOpThreads.forRows(1);
                 IntraOpThreads w = IntraOpThreads.forWeight(8 << 20, 4 << 20)) {
                assertEquals(2, JniUtils.getNumThreads(), "a nested cap still knows the outer count");
            }
            assertEquals(2, JniUtils.getNumThreads());
        } finally {
            JniUtils.setNumThreads(before);
        }
    }
}
