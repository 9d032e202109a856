package dev.zhyper.core.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.zhyper.core.hyper.HeadShape;

/**
 * One adapter method: how the context c enters the update of every adapted projection,
 * {@code y = W x + s · B · f(z) · A x} (docs/method.md §1), or with T2L {@code y = W x + s · B(c) · A(c) x}.
 * Each method owns its head width, its head's initialisation, how its head outputs become per-row factors, its delta
 * and its PEFT factors; nothing else switches on the method. {@link AdapterMethod} stays the stable id (checkpoint
 * manifests, CLI flags, the modulation API) and maps to its kind with {@link AdapterMethod#kind()}; adding a method is
 * one new record here, its name in {@code permits} (here, or in {@link SharedLoraModulation} for a method that
 * modulates the shared A, B) and its id in {@code AdapterMethod} (ADR 0016).
 *
 * <p>A method's numbers per site (what a {@link ContextModulation} carries, before the scaling s) are its head
 * outputs as {@link ZParametrisation} maps them: z for diag, row-major Z for square, [A | B] row-major for T2L.
 */
public sealed interface AdapterKind permits MultiTaskLora, SharedLoraModulation, TextToLora {

    /** Numbers the hypernetwork head emits per (context, layer, module); 0 without a hypernetwork. */
    int headWidth(int rank, int dIn, int dOut);

    /** Whether a hypernetwork produces something per context. */
    boolean usesHypernetwork();

    /** Whether shared A and B exist. */
    boolean hasSharedLora();

    /**
     * Whether Z(c) modulates shared B and A (diag, square): only then do the LoRA variants ({@link LoraVariant}) and
     * z parametrisations ({@link ZParametrisation}) apply.
     */
    boolean modulatesSharedLora();

    /** How the head's bias starts for a module with input width {@code dIn} (its weight always starts at zero). */
    HeadShape.Bias headBias(AdapterSpec spec, int dIn);

    /** Z = I as the head emits it, flattened (the offset of {@link ZParametrisation#ONE_PLUS}: Z = I + h). */
    float[] identity(int rank);

    /**
     * The per-row factors of one site from its head outputs {@code v} [B, width] for B contexts, the form
     * {@link #delta} takes; {@code s} is the LoRA scaling.
     */
    NDArray[] rows(NDArray v, long batch, int rank, int dIn, int dOut, float s);

    /**
     * The update of one site for a batch x [B, T, d_in] → [B, T, d_out], row i with its own factors
     * {@code rows} (from {@link #rows}; unused without a hypernetwork): one shrink GEMM, the per-row part, one
     * expand GEMM.
     */
    NDArray delta(NDArray x, NDArray[] rows, SharedLora lora, AdapterSite site, float s);

    /**
     * The plain-LoRA factors {lora_A [r, d_in], lora_B [d_out, r]} equivalent to one context at one site, to be
     * applied with the same scaling s; {@code v} is the site's numbers of the context (empty for MTL).
     */
    NDArray[] peftFactors(NDManager m, float[] v, SharedLora lora, AdapterSite site, int rank, int dIn, int dOut,
                          DataType dtype);

    /** The shape of one site's numbers as the modulation API reports them ({@code width} numbers). */
    int[] siteShape(int rank, int width);
}
