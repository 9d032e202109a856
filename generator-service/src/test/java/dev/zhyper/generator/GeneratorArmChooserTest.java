package dev.zhyper.generator;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The arm chooser on its own: split, stability, parsing. */
class GeneratorArmChooserTest {

    @Test
    void thousandKeysSplitNinetyTenWithinThreePointsAndStably() {
        ArmChooser c = new ArmChooser(ArmChooser.parse("control=/ckpt/a:90,treatment=/ckpt/b:10"));
        int control = 0;
        for (int i = 0; i < 1000; i++) {
            String key = "user-" + i;
            String arm = c.choose(key).name();
            if (arm.equals("control")) control++;
            for (int k = 0; k < 3; k++) assertEquals(arm, c.choose(key).name(), "same key, same arm");
            assertEquals(arm, new ArmChooser(ArmChooser.parse("control=/ckpt/a:90,treatment=/ckpt/b:10"))
                    .choose(key).name(), "stable across instances (replicas, restarts)");
        }
        assertTrue(control >= 870 && control <= 930, "control got " + control + " of 1000");
    }

    @Test
    void bucketIsFirstEightBytesOfSha256ModTenThousand() {
        // sha256("abc") = ba7816bf8f01cfea...; 0xba7816bf8f01cfea unsigned mod 10000
        long v = Long.parseUnsignedLong("ba7816bf8f01cfea", 16);
        assertEquals((int) Long.remainderUnsigned(v, 10_000), ArmChooser.bucket("abc"));
    }

    @Test
    void parsing() {
        List<ArmChooser.ArmSpec> arms = ArmChooser.parse(" a=/x/y:3 , b=file:///p/q:1,base=:2, d=/z ");
        assertEquals(4, arms.size());
        assertEquals(new ArmChooser.ArmSpec("a", "/x/y", 3), arms.get(0));
        assertEquals(new ArmChooser.ArmSpec("b", "file:///p/q", 1), arms.get(1));
        assertNull(arms.get(2).checkpointDir());
        assertEquals(new ArmChooser.ArmSpec("d", "/z", 1), arms.get(3));
        assertThrows(IllegalArgumentException.class, () -> ArmChooser.parse("nope"));
        assertThrows(IllegalArgumentException.class, () -> ArmChooser.parse("a=/x:0"));
        assertThrows(IllegalArgumentException.class, () -> new ArmChooser(ArmChooser.parse("a=/x:1,a=/y:1")));
    }
}
