package dev.zhyper.core.io;

/** Element types of safetensors files, named as in the safetensors header ({@code "F32"}, {@code "BF16"}, ...). */
public enum DType {
    F64(8, true),
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    I64(8, false),
    I32(4, false),
    I16(2, false),
    I8(1, false),
    U8(1, false),
    BOOL(1, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for F64, F32, F16 and BF16. */
    public boolean isFloating() {
        return floating;
    }

    /** The dtype with this exact safetensors name (case-sensitive), or {@code null} if unknown. */
    public static DType parse(String name) {
        if (name == null) {
            return null;
        }
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
