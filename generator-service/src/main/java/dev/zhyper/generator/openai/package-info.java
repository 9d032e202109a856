/**
 * The OpenAI-compatible HTTP API of the generator ({@code /v1/chat/completions}, {@code /v1/completions},
 * {@code /v1/models}; docs/adr/0009-openai-api-on-the-generator.md): Vert.x routes on the HTTP port that turn a
 * request into a {@code zhyper.v1.GenerateRequest} and take the gRPC request path, with OpenAI's response, chunk
 * and error shapes and server-sent-event streaming. A client that disconnects cancels its request.
 */
package dev.zhyper.generator.openai;
