package dev.zhyper.core.io;

import org.junit.jupiter.api.Test;

import static dev.zhyper.core.io.HalfFloats.bf16ToFloat;
import static dev.zhyper.core.io.HalfFloats.f16ToFloat;
import static dev.zhyper.core.io.HalfFloats.floatToBf16;
import static dev.zhyper.core.io.HalfFloats.floatToF16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsHalfFloatsTest {

    private static void f16(int bits, float value) {
        assertEquals(Float.floatToIntBits(value), Float.floatToIntBits(f16ToFloat((short) bits)),
                () -> "f16ToFloat(0x" + Integer.toHexString(bits) + ")");
        assertEquals((short) bits, floatToF16(value), () -> "floatToF16(" + value + ")");
    }

    private static void bf16(int bits, float value) {
        assertEquals(Float.floatToIntBits(value), Float.floatToIntBits(bf16ToFloat((short) bits)),
                () -> "bf16ToFloat(0x" + Integer.toHexString(bits) + ")");
        assertEquals((short) bits, floatToBf16(value), () -> "floatToBf16(" + value + ")");
    }

    @Test
    void f16KnownBitPatterns() {
        f16(0x3c00, 1.0f);
        f16(0xc000, -2.0f);
        f16(0x7bff, 65504f);
        f16(0xfbff, -65504f);
        f16(0x0001, 0x1p-24f);          // smallest subnormal
        f16(0x8001, -0x1p-24f);
        f16(0x03ff, 1023 * 0x1p-24f);   // largest subnormal
        f16(0x0400, 0x1p-14f);          // smallest normal
        f16(0x3555, 0.333251953125f);
        f16(0x0000, 0.0f);
        f16(0x8000, -0.0f);
        f16(0x7c00, Float.POSITIVE_INFINITY);
        f16(0xfc00, Float.NEGATIVE_INFINITY);
        assertTrue(Float.isNaN(f16ToFloat((short) 0x7e00)));
        assertTrue(Float.isNaN(f16ToFloat((short) 0x7c01)));
        assertTrue(Float.isNaN(f16ToFloat((short) 0xfe00)));
        assertEquals((short) 0x7e00, floatToF16(Float.NaN));
        short nanWithLowPayload = floatToF16(Float.intBitsToFloat(0x7f800001));
        assertTrue(Float.isNaN(f16ToFloat(nanWithLowPayload)), "NaN must not turn into infinity");
        assertEquals((short) 0x2e66, floatToF16(0.1f));
    }

    @Test
    void f16RoundsToNearestEven() {
        assertEquals((short) 0x3c00, floatToF16(1f + 0x1p-11f));     // tie, 0x3c00 even
        assertEquals((short) 0x3c02, floatToF16(1f + 3 * 0x1p-11f)); // tie, 0x3c01 odd -> up
        assertEquals((short) 0x3c01, floatToF16(Math.nextUp(1f + 0x1p-11f)));
        assertEquals((short) 0x3c00, floatToF16(Math.nextDown(1f + 0x1p-11f)));
        assertEquals((short) 0x7bff, floatToF16(65519.996f));        // just below the overflow tie
        assertEquals((short) 0x7c00, floatToF16(65520f));            // tie between max and "2^16": to even = inf
        assertEquals((short) 0x7c00, floatToF16(1e10f));
        assertEquals((short) 0xfc00, floatToF16(-1e10f));
        assertEquals((short) 0x0000, floatToF16(0x1p-25f));          // tie between 0 and min subnormal
        assertEquals((short) 0x0001, floatToF16(Math.nextUp(0x1p-25f)));
        assertEquals((short) 0x0002, floatToF16(3 * 0x1p-25f));      // tie between 1 and 2 -> 2
        assertEquals((short) 0x0000, floatToF16(1e-30f));
        assertEquals((short) 0x8000, floatToF16(-1e-30f));
        assertEquals((short) 0x0400, floatToF16(Math.nextDown(0x1p-14f))); // rounds up into the normals
    }

    @Test
    void f16ExhaustiveRoundTripAndMidpoints() {
        for (int h = 0; h < 0x10000; h++) {
            float f = f16ToFloat((short) h);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(f16ToFloat(floatToF16(f))));
                continue;
            }
            assertEquals((short) h, floatToF16(f), "round trip of 0x" + Integer.toHexString(h));
        }
        // every midpoint between adjacent positive finite halves: ties to even, neighbours to the nearer
        for (int h = 0; h < 0x7bff; h++) {
            float lo = f16ToFloat((short) h);
            float hi = f16ToFloat((short) (h + 1));
            float mid = (lo + hi) / 2; // exact: needs one more bit than a half has
            int even = (h & 1) == 0 ? h : h + 1;
            assertEquals((short) even, floatToF16(mid), "midpoint after 0x" + Integer.toHexString(h));
            assertEquals((short) h, floatToF16(Math.nextDown(mid)));
            assertEquals((short) (h + 1), floatToF16(Math.nextUp(mid)));
            assertEquals((short) (even | 0x8000), floatToF16(-mid));
        }
    }

    @Test
    void bf16KnownBitPatterns() {
        bf16(0x3f80, 1.0f);
        bf16(0xc000, -2.0f);
        bf16(0x4780, 65536f);
        assertEquals((short) 0x4780, floatToBf16(65504f)); // 0x477FE000 rounds up
        bf16(0x0001, Float.intBitsToFloat(0x00010000));    // smallest subnormal
        bf16(0x0080, Float.MIN_NORMAL);
        bf16(0x7f7f, Float.intBitsToFloat(0x7f7f0000));    // largest finite
        bf16(0x0000, 0.0f);
        bf16(0x8000, -0.0f);
        bf16(0x7f80, Float.POSITIVE_INFINITY);
        bf16(0xff80, Float.NEGATIVE_INFINITY);
        assertEquals((short) 0x7fc0, floatToBf16(Float.NaN));
        assertTrue(Float.isNaN(bf16ToFloat((short) 0x7fc0)));
        assertTrue(Float.isNaN(bf16ToFloat((short) 0x7f81)));
        assertTrue(Float.isNaN(bf16ToFloat(floatToBf16(Float.intBitsToFloat(0x7f800001)))),
                "NaN with payload only in the low bits must stay NaN");
        assertTrue(Float.isNaN(bf16ToFloat(floatToBf16(Float.intBitsToFloat(0xffffffff)))));
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals((short) 0x3f80, floatToBf16(Float.intBitsToFloat(0x3f808000))); // tie, even stays
        assertEquals((short) 0x3f82, floatToBf16(Float.intBitsToFloat(0x3f818000))); // tie, odd rounds up
        assertEquals((short) 0x3f81, floatToBf16(Float.intBitsToFloat(0x3f808001)));
        assertEquals((short) 0x3f80, floatToBf16(Float.intBitsToFloat(0x3f807fff)));
        assertEquals((short) 0x7f80, floatToBf16(Float.MAX_VALUE));                  // overflows to inf
        assertEquals((short) 0xff80, floatToBf16(-Float.MAX_VALUE));
        assertEquals((short) 0x0000, floatToBf16(Float.intBitsToFloat(0x00008000))); // subnormal tie to 0
        assertEquals((short) 0x0001, floatToBf16(Float.intBitsToFloat(0x00008001)));
        for (int h = 0; h < 0x10000; h++) {
            float f = bf16ToFloat((short) h);
            if (!Float.isNaN(f)) {
                assertEquals((short) h, floatToBf16(f), "round trip of 0x" + Integer.toHexString(h));
            }
        }
    }
}
