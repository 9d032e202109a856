/**
 * The decoder-only base model on raw NDArrays (ADR 0001): configuration with per-family traits (Llama, Mistral,
 * Qwen2, Gemma2), rotary embeddings, GQA attention, the KV cache, and the {@code ProjectionDelta} seam through
 * which an adapter adds its update to a projection.
 */
package dev.zhyper.core.model;
