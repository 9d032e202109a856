package dev.zhyper.cli.commands;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.zhyper.cli.common.CliException;
import dev.zhyper.cli.common.RuntimeOptions;
import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.embed.Embedder;
import dev.zhyper.core.engine.ZhyperEngine;
import dev.zhyper.core.model.DecoderInput;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.model.ProjectionDelta;
import dev.zhyper.core.checkpoint.AdapterCheckpoint;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code zhyper logits}: the base model's (or, with {@code --checkpoint} and {@code --context}, the adapted model's) logits at every position of a token sequence, as one JSON line
 * {@code {"tokens":[...],"logits":[[...],...]}} (floats as {@link Float#toString(float)}; non-finite values as null).
 */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = {"Run the decoder on a token sequence and print the logits of every position as JSON:",
                "{\"tokens\":[...],\"logits\":[[...],...]}"})
public final class LogitsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model directory (config.json + safetensors).")
    Path model;

    @Option(names = "--tokens", required = true, split = ",", paramLabel = "ID",
            description = "Token ids, comma separated (e.g. 1,5,9).")
    List<Integer> tokens;

    @Option(names = "--checkpoint", paramLabel = "CKPT",
            description = "Adapter checkpoint to apply for --context (both or neither).")
    Path checkpoint;

    @Option(names = "--context", paramLabel = "TEXT",
            description = "Context description (task label for one-hot checkpoints) that conditions the adapter; "
                    + "needs --checkpoint.")
    String context;

    @Override
    public Integer call() {
        if (checkpoint != null && context == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--checkpoint needs --context TEXT");
        }
        if (context != null && checkpoint == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--context needs --checkpoint CKPT");
        }
        if (tokens.isEmpty()) {
            throw new CliException("--tokens must list at least one token id");
        }
        int[] ids = tokens.stream().mapToInt(Integer::intValue).toArray();
        String json;
        try (DecoderModel m = DecoderModel.load(model, runtime.modelOptions());
             ZhyperAdapter adapter = checkpoint == null ? null : loadAdapter(m);
             NDManager sub = m.manager().newSubManager()) {
            ProjectionDelta delta = null;
            if (adapter != null) {
                delta = adapter.forRows(sub, List.of(modulation));
            }
            NDArray logits = m.forward(sub, DecoderInput.single(ids), null, delta, DecoderModel.ForwardOptions.FULL);
            json = toJson(ids, logits.toFloatArray(), m.config().vocabSize());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(json);
        out.flush();
        return 0;
    }

    private ContextModulation modulation;

    /**
     * Loads the checkpoint for the base model and computes the context's modulation (as
     * {@link ZhyperEngine#modulate(String)} does; no tokenizer is needed here).
     */
    private ZhyperAdapter loadAdapter(DecoderModel m) {
        AdapterCheckpoint.Loaded loaded = AdapterCheckpoint.load(checkpoint, m.config(), runtime.modelOptions().device(),
                runtime.modelOptions().dtype());
        ZhyperAdapter adapter = loaded.adapter();
        try (Embedder embedder = ZhyperEngine.embedderFor(loaded.embedder())) {
            float[][] e = embedder == null ? new float[1][0] : embedder.embed(List.of(context));
            modulation = adapter.modulate(e).get(0);
        } catch (RuntimeException e) {
            adapter.close();
            throw e;
        }
        return adapter;
    }

    static String toJson(int[] ids, float[] logits, int vocab) {
        StringBuilder sb = new StringBuilder(16 + ids.length * (6 + vocab * 12));
        sb.append("{\"tokens\":[");
        for (int i = 0; i < ids.length; i++) {
            sb.append(i == 0 ? "" : ",").append(ids[i]);
        }
        sb.append("],\"logits\":[");
        for (int t = 0; t < ids.length; t++) {
            sb.append(t == 0 ? "[" : ",[");
            for (int v = 0; v < vocab; v++) {
                float f = logits[t * vocab + v];
                if (v > 0) {
                    sb.append(',');
                }
                if (Float.isFinite(f)) {
                    sb.append(Float.toString(f));
                } else {
                    sb.append("null");
                }
            }
            sb.append(']');
        }
        sb.append("]}");
        return sb.toString();
    }
}
