/**
 * trainer-service: gRPC {@code zhyper.v1.Trainer} (jobs and checkpoints), streaming rounds over
 * {@code zhyper.training.examples}, the control topic, checkpoint storage, and the {@code CheckpointEvent}s and
 * progress events it publishes.
 */
package dev.zhyper.trainer;
