package dev.zhyper.core.adapter;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.zhyper.core.hyper.HyperNetwork;
import dev.zhyper.core.hyper.HyperSpec;
import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.nn.IntraOpThreads;
import dev.zhyper.core.nn.NoGrad;
import dev.zhyper.core.nn.ParameterSet;
import dev.zhyper.core.nn.Tensors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Everything that is trained: the shared LoRA matrices A, B and the hypernetwork H_φ (θ = {A, B, φ}). Independent
 * of a particular base-model instance, so several adapters (checkpoints, A/B arms) can share one frozen base.
 */
public final class ZhyperAdapter implements AutoCloseable {
    private final ModelConfig model;
    private final AdapterSpec spec;
    private final HyperSpec hyperSpec;
    private final NDManager manager;
    private final DataType dtype;
    private final ParameterSet params = new ParameterSet();
    private final SharedLora lora;
    private final HyperNetwork hyper;
    private final List<AdapterSite> sites;
    private final int[] layers;

    public ZhyperAdapter(ModelConfig model, AdapterSpec spec, HyperSpec hyperSpec, Device device, DataType dtype,
                         long seed) {
        this(model, spec, hyperSpec, device, dtype, seed, null);
    }

    /** @param base the base weights, needed to initialise LoRA-XS (its A, B come from an SVD of W) */
    public ZhyperAdapter(ModelConfig model, AdapterSpec spec, HyperSpec hyperSpec, Device device, DataType dtype,
                         long seed, SharedLora.BaseWeights base) {
        this.model = model;
        this.spec = spec;
        this.hyperSpec = spec.method().usesHypernetwork() ? hyperSpec : null;
        this.dtype = dtype;
        this.manager = NDManager.newBaseManager(device);
        SplittableRandom rng = new SplittableRandom(seed);
        this.layers = spec.layers().layers(model.numLayers());
        List<AdapterSite> s = new ArrayList<>();
        for (int l : layers) {
            for (var t : spec.targets()) {
                s.add(new AdapterSite(l, t));
            }
        }
        this.sites = List.copyOf(s);
        this.lora = spec.method().hasSharedLora()
                ? new SharedLora(model, spec, manager, dtype, rng.split(), params, base) : null;
        this.hyper = spec.method().usesHypernetwork()
                ? new HyperNetwork(hyperSpec, spec.hyperHeads(model), model.numLayers(), manager, dtype, rng.split(),
                params) : null;
    }

    public ModelConfig modelConfig() { return model; }

    public AdapterSpec spec() { return spec; }

    /** The hypernetwork's widths, or null for MTL. */
    public HyperSpec hyperSpec() { return hyperSpec; }

    /** Sets a centred hypernetwork's centring from its training descriptions' embeddings ({@link HyperNetwork#calibrate}). */
    public boolean calibrateConditions(float[][] trainingEmbeddings) {
        return hyper != null && hyper.calibrate(trainingEmbeddings);
    }

    public ParameterSet parameters() { return params; }

    public List<AdapterSite> sites() { return sites; }

    public NDManager manager() { return manager; }

    public DataType dtype() { return dtype; }

    /** Numbers per site in a {@link ContextModulation}. */
    public int width(AdapterSite site) {
        return spec.method().kind().headWidth(spec.rank(), model.inDim(site.module()), model.outDim(site.module()));
    }

    /**
     * The batch adapter for description embeddings [B, d_c] (the training path: keeps the autograd graph from
     * the loss to A, B and φ).
     */
    public BatchAdapter forEmbeddings(NDManager m, NDArray embeddings, boolean training) {
        return forTraining(m, embeddings, training, 0).delta();
    }

    /**
     * The training forward pass.
     *
     * @param delta            the batch adapter (LoRA input dropout on x before A when {@code loraDropout > 0})
     * @param generatedSquares mean over contexts and sites of the squared norm of what the hypernetwork generated
     *                         there (h(c): z − 1 for one-plus, z otherwise; T2L's A and B), a scalar in the
     *                         autograd graph; null for MTL
     */
    public record TrainingForward(BatchAdapter delta, NDArray generatedSquares) {}

    /** The training path with LoRA input dropout (active only when {@code training}) and the generated factors. */
    public TrainingForward forTraining(NDManager m, NDArray embeddings, boolean training, double loraDropout) {
        float dropout = training ? (float) loraDropout : 0f;
        if (hyper == null) {
            return new TrainingForward(new BatchAdapter(spec, lora, Map.of(), dropout), null);
        }
        NDArray[] h = hyper.forward(m, embeddings, layers, training);
        long n = embeddings.getShape().get(0);
        NDArray squares = null;
        for (NDArray t : h) {
            NDArray sq = t.square().sum();
            squares = squares == null ? sq : squares.add(sq);
        }
        squares = Tensors.div(squares, (double) n * sites.size());
        return new TrainingForward(fromHeadOutputs(m, modulation(m, h), n, dropout), squares);
    }

    /** Z(c) from the head outputs h(c), per target type [N, layers, width] (docs/method.md §1). */
    private NDArray[] modulation(NDManager m, NDArray[] h) {
        if (spec.zParam() != ZParametrisation.ONE_PLUS) {
            return h;
        }
        float[] identity = spec.method().kind().identity(spec.rank());
        NDArray one = Tensors.create(m, identity, new Shape(identity.length)).toType(dtype, false);
        NDArray[] z = new NDArray[h.length];
        for (int t = 0; t < h.length; t++) {
            z[t] = h[t].add(one);
        }
        return z;
    }

    private BatchAdapter fromHeadOutputs(NDManager m, NDArray[] perType, long batch) {
        return fromHeadOutputs(m, perType, batch, 0f);
    }

    private BatchAdapter fromHeadOutputs(NDManager m, NDArray[] perType, long batch, float loraDropout) {
        AdapterKind kind = spec.method().kind();
        Map<AdapterSite, NDArray[]> rows = new LinkedHashMap<>();
        int r = spec.rank();
        float s = (float) spec.scaling();
        for (int li = 0; li < layers.length; li++) {
            for (int ti = 0; ti < spec.targets().size(); ti++) {
                AdapterSite site = new AdapterSite(layers[li], spec.targets().get(ti));
                NDArray v = perType[ti].get(":, " + li + ", :");               // [B, width]
                rows.put(site, kind.rows(v, batch, r, model.inDim(site.module()), model.outDim(site.module()), s));
            }
        }
        return new BatchAdapter(spec, lora, rows, loraDropout);
    }

    /** Computes the modulation of each context (inference: dropout off, no autograd). */
    public List<ContextModulation> modulate(float[][] embeddings) {
        List<ContextModulation> out = new ArrayList<>();
        if (hyper == null) {
            for (int i = 0; i < embeddings.length; i++) {
                out.add(ContextModulation.zeros(spec.method(), sites, new int[sites.size()]));
            }
            return out;
        }
        int d = hyperSpec.embedDim();
        try (NoGrad ignored = new NoGrad(); IntraOpThreads threads = IntraOpThreads.forRows(embeddings.length);
             NDManager m = manager.newSubManager()) {
            float[] flat = new float[embeddings.length * d];
            for (int i = 0; i < embeddings.length; i++) {
                if (embeddings[i].length != d) {
                    throw new IllegalArgumentException("embedding has dimension " + embeddings[i].length
                            + ", the hypernetwork expects " + d);
                }
                System.arraycopy(embeddings[i], 0, flat, i * d, d);
            }
            NDArray e = Tensors.create(m, flat, new Shape(embeddings.length, d)).toType(dtype, false);
            NDArray[] perType = modulation(m, hyper.forward(m, e, layers, false));
            float[][] typed = new float[perType.length][];
            for (int t = 0; t < perType.length; t++) {
                typed[t] = perType[t].toType(DataType.FLOAT32, false).toFloatArray();
            }
            int nt = spec.targets().size();
            for (int i = 0; i < embeddings.length; i++) {
                int total = 0;
                for (AdapterSite s : sites) {
                    total += width(s);
                }
                float[] values = new float[total];
                int off = 0;
                for (int li = 0; li < layers.length; li++) {
                    for (int ti = 0; ti < nt; ti++) {
                        int w = width(sites.get(li * nt + ti));
                        System.arraycopy(typed[ti], (i * layers.length + li) * w, values, off, w);
                        off += w;
                    }
                }
                out.add(new ContextModulation(spec.method(), sites, widths(), values));
            }
        }
        return out;
    }

    /** Numbers per site, in {@link #sites()} order. */
    public int[] widths() {
        int[] w = new int[sites.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = width(sites.get(i));
        }
        return w;
    }

    /** The batch adapter for precomputed modulations, one per row (the serving path). */
    public BatchAdapter forRows(NDManager m, List<ContextModulation> rows) {
        if (hyper == null) {
            return new BatchAdapter(spec, lora, Map.of(), 0f);
        }
        int nt = spec.targets().size();
        NDArray[] perType = new NDArray[nt];
        int b = rows.size();
        for (int ti = 0; ti < nt; ti++) {
            int w = width(sites.get(ti));
            float[] flat = new float[b * layers.length * w];
            for (int i = 0; i < b; i++) {
                ContextModulation c = rows.get(i);
                if (!c.sites().equals(sites)) {
                    throw new IllegalArgumentException("modulation of row " + i + " was computed for other sites");
                }
                for (int li = 0; li < layers.length; li++) {
                    System.arraycopy(c.values(), c.offset(li * nt + ti), flat, (i * layers.length + li) * w, w);
                }
            }
            perType[ti] = Tensors.create(m, flat, new Shape(b, layers.length, w)).toType(dtype, false);
        }
        return fromHeadOutputs(m, perType, b);
    }

    /** ΔW = s·B·Z·A [d_out, d_in] of one site for a context (for merging and export). */
    public NDArray deltaWeight(NDManager m, ContextModulation c, AdapterSite site) {
        NDArray[] f = peftFactors(m, c, site);
        return Tensors.muli(f[1].matMul(f[0]), spec.scaling());
    }

    /**
     * The plain-LoRA factors {lora_A [r, d_in], lora_B [d_out, r]} equivalent to this context at one site:
     * lora_A = Z·A, lora_B = B (T2L: the emitted A_c, B_c), to be applied with the same scaling s
     * ({@link AdapterKind#peftFactors}).
     */
    public NDArray[] peftFactors(NDManager m, ContextModulation c, AdapterSite site) {
        int idx = sites.indexOf(site);
        if (idx < 0) {
            throw new IllegalArgumentException(site + " is not adapted");
        }
        return spec.method().kind().peftFactors(m, c.site(idx), lora, site, spec.rank(),
                model.inDim(site.module()), model.outDim(site.module()), dtype);
    }

    /** The base weights of a loaded model, as LoRA-XS's SVD initialisation needs them. */
    public static SharedLora.BaseWeights baseWeightsOf(dev.zhyper.core.model.DecoderModel base) {
        return site -> base.projectionWeight(site.layer(), site.module()).toType(DataType.FLOAT32, false)
                .toFloatArray();
    }

    /** A shared A or B matrix (null for T2L). */
    public SharedLora sharedLora() { return lora; }

    @Override
    public void close() { manager.close(); }

    static NDArray linear(NDArray x, NDArray w) { return Linear.linear(x, w).singletonOrThrow(); }
}
