/**
 * Random base models for tests, benchmarks and {@code zhyper init-model}: a Llama-family HF directory (config,
 * safetensors weights, a character-level tokenizer) written from a seed. Kept out of {@code model} so that the
 * model package does not depend on {@code text}.
 */
package dev.zhyper.core.model.random;
