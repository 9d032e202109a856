package dev.zhyper.training;

import ai.djl.ndarray.NDManager;
import dev.zhyper.core.model.DecoderInput;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.model.random.RandomModels;
import dev.zhyper.core.text.TextTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PretrainerTest {
    @TempDir
    Path tmp;

    @Test
    void pretrainingLowersTheLossAndSavesALoadableModel() throws Exception {
        Path src = RandomModels.writeLlama(tmp.resolve("init"), RandomModels.LlamaShape.tiny(0), "abcdefgh \n", 2);
        List<String> lines = List.of("abc abc abc", "def def def", "gh gh gh gh", "abc def gh");
        Path out = tmp.resolve("trained");
        float[] logits;
        int[] probe;
        try (DecoderModel model = DecoderModel.load(src, ModelOptions.cpuFloat32());
             TextTokenizer tok = TextTokenizer.load(src);
             Pretrainer p = new Pretrainer(model, tok, new Pretrainer.Options(60, 4, 1e-2, 0.1, 0.0, 1.0, 1, 64))) {
            double first = p.step(lines).loss();
            double last = first;
            while (!p.finished()) {
                last = p.step(lines).loss();
            }
            assertTrue(last < first * 0.5, first + " -> " + last);
            p.save(src, out);
            probe = tok.encode("abc de", false);
            try (NDManager m = model.manager().newSubManager()) {
                logits = model.forward(m, DecoderInput.single(probe), null, null, DecoderModel.ForwardOptions.FULL)
                        .toFloatArray();
            }
        }
        try (DecoderModel reloaded = DecoderModel.load(out, ModelOptions.cpuFloat32());
             NDManager m = reloaded.manager().newSubManager()) {
            assertArrayEquals(logits, reloaded.forward(m, DecoderInput.single(probe), null, null,
                    DecoderModel.ForwardOptions.FULL).toFloatArray(), 1e-5f);
        }
    }
}
