package dev.zhyper.training;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WarmupConstantTest {

    @Test
    void warmsUpFromTheOriginThenStaysAtThePeak() {
        WarmupConstant lr = new WarmupConstant(1e-3, 1200, 4);
        assertEquals(0.25e-3, lr.at(1200), 1e-12);
        assertEquals(0.5e-3, lr.at(1201), 1e-12);
        assertEquals(1e-3, lr.at(1203), 1e-12);
        // one curve across rounds: no second warm-up, no decay, however far the stream goes
        assertEquals(1e-3, lr.at(1250), 1e-12);
        assertEquals(1e-3, lr.at(1_000_000), 1e-12);
    }

    @Test
    void noWarmupAndBadValues() {
        assertEquals(2e-4, new WarmupConstant(2e-4, 0, 0).at(0), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new WarmupConstant(0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new WarmupConstant(1e-3, 0, -1));
    }
}
