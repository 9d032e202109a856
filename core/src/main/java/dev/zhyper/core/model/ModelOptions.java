package dev.zhyper.core.model;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

import java.util.Locale;

/** Where and in which precision a model computes. */
public record ModelOptions(Device device, DataType dtype) {

    public static ModelOptions cpuFloat32() { return new ModelOptions(Device.cpu(), DataType.FLOAT32); }

    /** Parses "cpu", "gpu", "gpu:1", "cuda:0". */
    public static Device parseDevice(String s) {
        String t = s.toLowerCase(Locale.ROOT).replace("cuda", "gpu");
        if (t.equals("cpu")) {
            return Device.cpu();
        }
        if (t.startsWith("gpu")) {
            return t.contains(":") ? Device.gpu(Integer.parseInt(t.substring(t.indexOf(':') + 1))) : Device.gpu();
        }
        throw new IllegalArgumentException("unknown device '" + s + "' (cpu, gpu, gpu:N)");
    }

    /** Parses fp32/float32, fp16/float16, bf16/bfloat16, fp64/float64. */
    public static DataType parseDtype(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "fp32", "float32", "f32" -> DataType.FLOAT32;
            case "fp16", "float16", "f16", "half" -> DataType.FLOAT16;
            case "bf16", "bfloat16" -> DataType.BFLOAT16;
            case "fp64", "float64", "f64", "double" -> DataType.FLOAT64;
            default -> throw new IllegalArgumentException("unknown dtype '" + s + "' (fp32, fp16, bf16, fp64)");
        };
    }
}
