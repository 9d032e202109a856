/**
 * Checkpoints on disk, as the services read them: {@link dev.zhyper.core.checkpoint.Checkpoint} (a directory of
 * safetensors files and a manifest with their sha256, written crash-safe, verified when opened),
 * {@link dev.zhyper.core.checkpoint.AdapterCheckpoint} (a Zhyper adapter with its specs, embedder and, for resuming,
 * optimizer state), {@link dev.zhyper.core.checkpoint.CheckpointDirectory} (the newest valid one of many) and
 * {@link dev.zhyper.core.checkpoint.Sha256}. The writer lives here too, next to the format it must match: the
 * services' tests write checkpoints without the training module.
 */
package dev.zhyper.core.checkpoint;
