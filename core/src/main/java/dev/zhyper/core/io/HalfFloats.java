package dev.zhyper.core.io;

/**
 * Conversions between float and the 16-bit formats IEEE binary16 (F16) and bfloat16 (BF16).
 * Float to 16-bit rounds to nearest, ties to even; overflow gives infinity; NaN stays NaN (quiet,
 * sign kept). 16-bit to float is exact, subnormals included.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) { // NaN: keep sign and top payload bits, force quiet
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    public static float f16ToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // exact: mant has at most 10 bits
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs > 0x7f800000) { // NaN
            return (short) (sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
        }
        if (abs >= 0x477ff000) { // >= 65520 rounds to infinity (also catches infinity itself)
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) { // below the smallest normal half (2^-14): subnormal or zero
            int exp = abs >>> 23;
            if (exp < 102) { // < 2^-25: rounds to zero
                return (short) sign;
            }
            int mant = (abs & 0x7fffff) | 0x800000;
            int shift = 126 - exp; // 14..24
            int q = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int half = 1 << (shift - 1);
            if (rem > half || (rem == half && (q & 1) == 1)) {
                q++;
            }
            return (short) (sign | q);
        }
        int h = (abs >>> 13) - (112 << 10);
        int rem = abs & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) == 1)) {
            h++;
        }
        return (short) (sign | h);
    }
}
