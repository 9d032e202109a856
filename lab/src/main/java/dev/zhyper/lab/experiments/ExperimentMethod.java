package dev.zhyper.lab.experiments;

import dev.zhyper.core.adapter.AdapterMethod;
import dev.zhyper.core.adapter.AdapterSpec;
import dev.zhyper.core.adapter.LayerSelection;
import dev.zhyper.core.adapter.LoraVariant;
import dev.zhyper.training.TrainingRun;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One row family of the paper's comparison (Tables 1–2): how the adapter is built, what conditions it, and how it
 * is evaluated.
 *
 * @param name           row name and run-directory prefix
 * @param method         adapter method, or null for the untrained base model
 * @param variant        how A and B are obtained
 * @param layers         adapted layers
 * @param conditioning   description encoder (MiniLM) or one-hot task ids
 * @param inPrompt       the description is put in the prompt (the "prepend" baseline)
 * @param conditioned    the adapter is conditioned through z (condition = description, or task name for one-hot)
 * @param ablation       shown in the ablation part of the table
 */
public record ExperimentMethod(String name, AdapterMethod method, LoraVariant variant, LayerSelection layers,
                               TrainingRun.Conditioning conditioning, boolean inPrompt, boolean conditioned,
                               boolean ablation) {

    public static final ExperimentMethod BASE = new ExperimentMethod("base", null, LoraVariant.LORA,
            LayerSelection.ALL, TrainingRun.Conditioning.MINILM, false, false, false);

    /** Every method, in table order. */
    public static final List<ExperimentMethod> ALL = List.of(
            BASE,
            plain("prepend", AdapterMethod.MTL, true),
            plain("mtl", AdapterMethod.MTL, false),
            zhyper("t2l", AdapterMethod.T2L, LoraVariant.LORA, LayerSelection.ALL, false),
            zhyper("zhyper-diag", AdapterMethod.DIAG, LoraVariant.LORA, LayerSelection.ALL, false),
            zhyper("zhyper-square", AdapterMethod.SQUARE, LoraVariant.LORA, LayerSelection.ALL, false),
            new ExperimentMethod("zhyper-ohe", AdapterMethod.DIAG, LoraVariant.LORA, LayerSelection.ALL,
                    TrainingRun.Conditioning.ONE_HOT, false, true, false),
            zhyper("zhyper-vera", AdapterMethod.DIAG, LoraVariant.VERA, LayerSelection.ALL, false),
            zhyper("zhyper-lora-xs", AdapterMethod.SQUARE, LoraVariant.LORA_XS, LayerSelection.ALL, false),
            zhyper("zhyper-diag@every2", AdapterMethod.DIAG, LoraVariant.LORA, LayerSelection.parse("0::2"), true));

    private static ExperimentMethod plain(String name, AdapterMethod m, boolean inPrompt) {
        return new ExperimentMethod(name, m, LoraVariant.LORA, LayerSelection.ALL, TrainingRun.Conditioning.MINILM,
                inPrompt, false, false);
    }

    private static ExperimentMethod zhyper(String name, AdapterMethod m, LoraVariant v, LayerSelection l,
                                           boolean ablation) {
        return new ExperimentMethod(name, m, v, l, TrainingRun.Conditioning.MINILM, false, true, ablation);
    }

    /** Whether this row trains anything (all but {@code base}). */
    public boolean trains() { return method != null; }

    /** One-hot conditioning on the task name: held-out tasks have no id, so only seen tasks are evaluated. */
    public boolean oneHot() { return conditioning == TrainingRun.Conditioning.ONE_HOT; }

    public AdapterSpec spec(int rank) {
        if (method == null) {
            throw new IllegalStateException("the base model has no adapter");
        }
        return AdapterSpec.of(rank, method).withLayers(layers).withVariant(variant);
    }

    /** Run directory name of one (rank, seed) cell; the base model has a single cell. */
    public String runId(int rank, long seed) {
        return trains() ? name.replace('@', '-') + "-r" + rank + "-s" + seed : name;
    }

    public static ExperimentMethod byName(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        for (ExperimentMethod m : ALL) {
            if (m.name.equals(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown method '" + s + "' (" + String.join(", ", names()) + ")");
    }

    public static List<String> names() {
        List<String> out = new ArrayList<>();
        ALL.forEach(m -> out.add(m.name));
        return out;
    }
}
