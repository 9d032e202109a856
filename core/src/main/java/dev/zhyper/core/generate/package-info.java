/**
 * Autoregressive decoding: requests (prompt ids, modulation, sampling, limits), token sampling (greedy,
 * temperature, top-k, top-p with a seed), stop tokens and strings, streaming listeners, and batched decoding
 * with a KV cache where every row carries its own context.
 */
package dev.zhyper.core.generate;
