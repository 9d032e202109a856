/**
 * embedder-service: gRPC {@code zhyper.v1.Embedder/Embed} over the configured description encoder, and the
 * {@code zhyper.contexts} consumer that pre-warms the embedding cache.
 */
package dev.zhyper.embedder;
