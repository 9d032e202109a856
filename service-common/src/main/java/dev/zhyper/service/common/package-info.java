/**
 * What the four services share: Infinispan caches (embedded or Hot Rod), the protobuf-JSON codec of events, the
 * modulation codec ({@link dev.zhyper.service.common.ModulationCodec}: ContextModulation ⇄ ModulateResponse), the one
 * failure → gRPC status mapping ({@link dev.zhyper.service.common.GrpcErrors}), the dead-letter publisher (with the
 * consumers' one call, {@code DeadLetterPublisher.send}), and the test broker resource.
 */
package dev.zhyper.service.common;
