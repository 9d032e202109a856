/**
 * Training (docs/method.md §4): completion-only SFT batches, the distinct-task sampler, AdamW, the learning-rate
 * schedule, gradient clipping, base-model pretraining, and {@link dev.zhyper.training.TrainingRun}, one job end to
 * end with crash-safe checkpoints and exact resume (the checkpoint format itself is the engine's,
 * {@code dev.zhyper.core.checkpoint}, which the serving services read without this module).
 */
package dev.zhyper.training;
