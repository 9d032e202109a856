package dev.zhyper.cli.common;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.zhyper.core.model.ModelOptions;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** Where and in which precision a command computes: {@code --device}, {@code --dtype}. Use as a picocli mixin. */
public final class RuntimeOptions {

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu", converter = DeviceConverter.class,
            description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
    Device device;

    @Option(names = "--dtype", paramLabel = "DTYPE", defaultValue = "fp32", converter = DtypeConverter.class,
            description = "Compute precision: fp32, bf16, fp16 or fp64 (default: ${DEFAULT-VALUE}).")
    DataType dtype;

    public ModelOptions modelOptions() {
        return new ModelOptions(device, dtype);
    }

    static final class DeviceConverter implements ITypeConverter<Device> {
        @Override
        public Device convert(String value) {
            try {
                return ModelOptions.parseDevice(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class DtypeConverter implements ITypeConverter<DataType> {
        @Override
        public DataType convert(String value) {
            try {
                return ModelOptions.parseDtype(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
