/**
 * Training (docs/method.md §4): completion-only SFT batches, the distinct-task sampler, AdamW, the learning-rate
 * schedule, gradient clipping, base-model pretraining, and crash-safe checkpoints with sha256 manifests and exact
 * resume.
 */
package dev.zhyper.training;
