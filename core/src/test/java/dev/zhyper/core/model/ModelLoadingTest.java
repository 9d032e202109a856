package dev.zhyper.core.model;

import dev.zhyper.core.model.random.RandomModels;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.core.io.ModelFormatException;
import dev.zhyper.core.io.SafeTensorsFile;
import dev.zhyper.core.io.SafeTensorsWriter;
import dev.zhyper.core.io.TensorData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed model directories are refused with a message naming the file and the problem. */
class ModelLoadingTest {
    @TempDir
    Path tmp;

    Path model() {
        return RandomModels.writeLlama(tmp.resolve("m"), RandomModels.LlamaShape.tiny(50), null, 1);
    }

    ModelFormatException refuse(Path dir) {
        return assertThrows(ModelFormatException.class, () -> DecoderModel.load(dir, ModelOptions.cpuFloat32()).close());
    }

    void editConfig(Path dir, java.util.function.Consumer<ObjectNode> edit) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(dir.resolve("config.json").toFile());
        edit.accept(cfg);
        json.writeValue(dir.resolve("config.json").toFile(), cfg);
    }

    @Test
    void unsupportedArchitecture() throws IOException {
        Path dir = model();
        editConfig(dir, c -> c.put("model_type", "gpt_neox"));
        ModelFormatException e = refuse(dir);
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("gpt_neox"), e.getMessage());
    }

    @Test
    void missingOrInvalidConfig() throws IOException {
        Path dir = model();
        Files.writeString(dir.resolve("config.json"), "{ not json");
        assertTrue(refuse(dir).getMessage().contains("not valid JSON"));
        Files.delete(dir.resolve("config.json"));
        assertTrue(refuse(dir).getMessage().contains("config.json not found"));
    }

    @Test
    void badConfigValues() throws IOException {
        Path dir = model();
        editConfig(dir, c -> c.put("num_key_value_heads", 3));
        assertTrue(refuse(dir).getMessage().contains("not a multiple"));
        editConfig(dir, c -> c.put("num_key_value_heads", 2).put("hidden_size", -4));
        assertTrue(refuse(dir).getMessage().contains("hidden_size"));
    }

    @Test
    void shapeMismatchNamesTheTensor() throws IOException {
        Path dir = model();
        editConfig(dir, c -> c.put("intermediate_size", 65));
        ModelFormatException e = refuse(dir);
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("gate_proj")
                && e.getMessage().contains("expected"), e.getMessage());
    }

    @Test
    void missingTensorNamesTheTensor() throws IOException {
        Path dir = model();
        Path file = dir.resolve("model.safetensors");
        List<TensorData> kept = new ArrayList<>();
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            for (String n : f.names()) {
                if (!n.equals("model.layers.1.self_attn.v_proj.weight")) {
                    var info = f.info(n);
                    ByteBuffer data = f.data(n);
                    ByteBuffer copy = ByteBuffer.allocate(data.remaining()).order(data.order());
                    copy.put(data).flip();
                    kept.add(new TensorData(n, info.dtype(), info.shape(), copy));
                }
            }
        }
        SafeTensorsWriter.write(file, kept, Map.of());
        ModelFormatException e = refuse(dir);
        assertTrue(e.getMessage().contains("model.layers.1.self_attn.v_proj.weight")
                && e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void truncatedWeightsAreRefused() throws IOException {
        Path dir = model();
        Path file = dir.resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 100);
        }
        ModelFormatException e = refuse(dir);
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void absurdHeaderLengthIsRefused() throws IOException {
        Path dir = model();
        Path file = dir.resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                    (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f}), 0);
        }
        ModelFormatException e = refuse(dir);
        assertTrue(e.getMessage().contains("header length"), e.getMessage());
    }

    @Test
    void noWeightsAtAll() throws IOException {
        Path dir = model();
        Files.delete(dir.resolve("model.safetensors"));
        ModelFormatException e = refuse(dir);
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void aGoodModelStillLoadsAfterARefusal() throws IOException {
        Path good = model();
        Path bad = RandomModels.writeLlama(tmp.resolve("bad"), RandomModels.LlamaShape.tiny(50), null, 1);
        Files.writeString(bad.resolve("model.safetensors"), "garbage");
        refuse(bad);
        try (DecoderModel m = DecoderModel.load(good, ModelOptions.cpuFloat32())) {
            assertEquals(50, m.config().vocabSize());
        }
    }
}
