/**
 * hypernet-service: gRPC {@code zhyper.v1.Hypernet} ({@code Modulate}, {@code RegisterContext}, {@code ExportPeft})
 * over the loaded checkpoints, the context registry, and the consumers of {@code zhyper.contexts} and
 * {@code zhyper.checkpoints}.
 */
package dev.zhyper.hypernet;
