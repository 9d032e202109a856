/**
 * generator-service: gRPC {@code zhyper.v1.Generator} — request validation, A/B arm choice, context modulation
 * (local or through the hypernet), batched and streamed decoding, checkpoint hot swap from
 * {@code zhyper.checkpoints} and {@code GenerationEvent}s on {@code zhyper.generations}.
 */
package dev.zhyper.generator;
