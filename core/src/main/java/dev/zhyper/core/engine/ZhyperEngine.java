package dev.zhyper.core.engine;

import dev.zhyper.core.adapter.ContextModulation;
import dev.zhyper.core.adapter.ZhyperAdapter;
import dev.zhyper.core.embed.CachingEmbedder;
import dev.zhyper.core.embed.Embedder;
import dev.zhyper.core.embed.MiniLmEmbedder;
import dev.zhyper.core.embed.OneHotEmbedder;
import dev.zhyper.core.generate.GenerationRequest;
import dev.zhyper.core.generate.GenerationResult;
import dev.zhyper.core.generate.BatchDecoder;
import dev.zhyper.core.generate.SamplingParams;
import dev.zhyper.core.generate.TokenListener;
import dev.zhyper.core.io.ModelFormatException;
import dev.zhyper.core.model.DecoderModel;
import dev.zhyper.core.model.ModelOptions;
import dev.zhyper.core.text.ChatTemplate;
import dev.zhyper.core.text.Prompting;
import dev.zhyper.core.text.TextTokenizer;
import dev.zhyper.core.checkpoint.AdapterCheckpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A base model with (optionally) a trained Zhyper adapter, its description embedder, tokenizer and chat
 * template: the object services and the CLI hold. Thread-safe for concurrent {@link #generate} calls.
 */
public final class ZhyperEngine implements AutoCloseable {
    private final DecoderModel base;
    private final ZhyperAdapter adapter;
    private final Embedder embedder;
    private final TextTokenizer tokenizer;
    private final ChatTemplate template;
    private final BatchDecoder decoder;
    private final String checkpointId;
    private final boolean ownsBase;

    public ZhyperEngine(DecoderModel base, ZhyperAdapter adapter, Embedder embedder, TextTokenizer tokenizer,
                        String checkpointId) {
        this(base, adapter, embedder, tokenizer, checkpointId, true);
    }

    private ZhyperEngine(DecoderModel base, ZhyperAdapter adapter, Embedder embedder, TextTokenizer tokenizer,
                         String checkpointId, boolean ownsBase) {
        this.ownsBase = ownsBase;
        this.base = base;
        this.adapter = adapter;
        this.embedder = embedder;
        this.tokenizer = tokenizer;
        this.template = Prompting.templateFor(base.config(), tokenizer);
        this.decoder = new BatchDecoder(base, adapter, tokenizer);
        this.checkpointId = checkpointId;
    }

    /** Opens a HF model directory and, if given, an adapter checkpoint trained for it. */
    public static ZhyperEngine open(Path modelDir, Path checkpoint, ModelOptions options) {
        if (!Files.isRegularFile(modelDir.resolve("tokenizer.json"))) {
            throw new ModelFormatException(modelDir, "tokenizer.json not found");
        }
        DecoderModel base = DecoderModel.load(modelDir, options);
        try {
            TextTokenizer tok = TextTokenizer.load(modelDir);
            if (checkpoint == null) {
                return new ZhyperEngine(base, null, null, tok, null);
            }
            AdapterCheckpoint.Loaded loaded = AdapterCheckpoint.load(checkpoint, base.config(), options.device(),
                    options.dtype());
            return new ZhyperEngine(base, loaded.adapter(), embedderFor(loaded.embedder(), base, tok, modelDir), tok,
                    loaded.checkpointId());
        } catch (RuntimeException e) {
            base.close();
            throw e;
        }
    }

    /**
     * Another engine over the same base model and tokenizer with the adapter of {@code checkpoint} (hot swap,
     * A/B arms). Closing it releases only its adapter and embedder; the base stays with this engine. A checkpoint
     * that fails verification throws and leaves this engine untouched.
     */
    public ZhyperEngine withCheckpoint(Path checkpoint) {
        AdapterCheckpoint.Loaded loaded = AdapterCheckpoint.load(checkpoint, base.config(), base.options().device(),
                base.options().dtype());
        return new ZhyperEngine(base, loaded.adapter(), embedderFor(loaded.embedder()), tokenizer,
                loaded.checkpointId(), false);
    }

    /**
     * The embedder a checkpoint was trained with, where it is the base model's own hidden states
     * ({@code base-mean:<model dir name>}): refused unless the loaded base is that model.
     */
    private static Embedder embedderFor(AdapterCheckpoint.EmbedderInfo info, DecoderModel base, TextTokenizer tok,
                                        Path modelDir) {
        if (info != null && info.id().startsWith("base-mean:") && (info.labels() == null || info.labels().isEmpty())) {
            String name = modelDir.toAbsolutePath().normalize().getFileName().toString();
            if (!info.id().equals("base-mean:" + name) || info.dim() != base.config().hiddenSize()) {
                throw new IllegalArgumentException("checkpoint was trained with embedder '" + info.id() + "' (dim "
                        + info.dim() + "), but the loaded base model is " + name);
            }
            return new CachingEmbedder(new dev.zhyper.core.embed.BaseModelEmbedder(base, tok, name), 4096);
        }
        return embedderFor(info);
    }

    /**
     * The embedder a checkpoint was trained with: packaged MiniLM, bge-small or e5-small, or one-hot over the
     * recorded labels; any other id is refused with a message naming it.
     */
    public static Embedder embedderFor(AdapterCheckpoint.EmbedderInfo info) {
        if (info == null) {
            return null;
        }
        if (info.labels() != null && !info.labels().isEmpty()) {
            return new OneHotEmbedder(info.labels());
        }
        if (MiniLmEmbedder.ID.equals(info.id())) {
            return new CachingEmbedder(new MiniLmEmbedder(), 4096);
        }
        dev.zhyper.core.embed.PackagedEmbedder.Model packaged = dev.zhyper.core.embed.PackagedEmbedder.Model.byName(info.id());
        if (packaged != null && packaged.id().equals(info.id())) {
            if (packaged.dim() != info.dim()) {
                throw new IllegalArgumentException("checkpoint records embedder '" + info.id() + "' with dim "
                        + info.dim() + ", but that encoder gives " + packaged.dim());
            }
            return new CachingEmbedder(dev.zhyper.core.embed.PackagedEmbedder.load(packaged), 4096);
        }
        throw new IllegalArgumentException("checkpoint needs embedder '" + info.id() + "', which is not available here");
    }

    public DecoderModel base() { return base; }

    public ZhyperAdapter adapter() { return adapter; }

    public Embedder embedder() { return embedder; }

    public TextTokenizer tokenizer() { return tokenizer; }

    public ChatTemplate template() { return template; }

    /** Id of the loaded checkpoint, or null when serving the base model. */
    public String checkpointId() { return checkpointId; }

    /** The modulation of each context (description text, or task label for one-hot checkpoints). */
    public List<ContextModulation> modulate(List<String> contexts) {
        if (adapter == null) {
            throw new IllegalStateException("no adapter checkpoint is loaded");
        }
        if (embedder == null) {
            return adapter.modulate(new float[contexts.size()][0]);
        }
        return adapter.modulate(embedder.embed(contexts));
    }

    public ContextModulation modulate(String context) { return modulate(List.of(context)).get(0); }

    /** Tokenised prompt (chat template applied, optional system text) with the template's stop conditions. */
    public GenerationRequest request(String system, String prompt, ContextModulation modulation,
                                     SamplingParams sampling, int maxTokens, List<String> extraStops) {
        return request(system, prompt, null, modulation, sampling, maxTokens, extraStops);
    }

    /**
     * As {@link #request(String, String, ContextModulation, SamplingParams, int, List)}, with
     * {@code assistantPrefill} (null or empty: none) placed at the start of the assistant's turn: the prompt ends
     * with it and generation continues from it (the result's text excludes it).
     */
    public GenerationRequest request(String system, String prompt, String assistantPrefill,
                                     ContextModulation modulation, SamplingParams sampling, int maxTokens,
                                     List<String> extraStops) {
        String text = template.render(system, prompt);
        if (assistantPrefill != null) {
            text += assistantPrefill;
        }
        int[] ids = tokenizer.encode(text, false);
        Set<Integer> stopTokens = new HashSet<>();
        for (int id : tokenizer.eosIds()) {
            stopTokens.add(id);
        }
        tokenizer.eosId().ifPresent(stopTokens::add);
        List<String> stops = new ArrayList<>(template.stopStrings());
        if (extraStops != null) {
            stops.addAll(extraStops);
        }
        return new GenerationRequest(ids, modulation, sampling, maxTokens, stopTokens, stops);
    }

    /**
     * A decode session over this engine (continuous batching: add rows at any time, step, close). Stepped by one
     * thread; at most {@code prefillBudget} prompt tokens are prefilled per step.
     */
    public dev.zhyper.core.generate.DecodeSession session(int prefillBudget) {
        return decoder.session(prefillBudget);
    }

    public List<GenerationResult> generate(List<GenerationRequest> requests, TokenListener listener) {
        return decoder.generate(requests, listener);
    }

    @Override
    public void close() {
        if (adapter != null) {
            adapter.close();
        }
        if (embedder != null) {
            try {
                embedder.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (ownsBase) {
            tokenizer.close();
            base.close();
        }
    }
}
