/**
 * What the four services share: their common CDI wiring ({@link dev.zhyper.service.common.ServiceBeans}: Kafka
 * client settings, dead-letter publisher, Infinispan caches), the checkpoint source and the following of
 * {@code zhyper.checkpoints} ({@link dev.zhyper.service.common.CheckpointSource},
 * {@link dev.zhyper.service.common.CheckpointUpdater}, {@link dev.zhyper.service.common.ServingState}), Infinispan
 * caches (embedded or Hot Rod), the protobuf-JSON codec of events, the modulation codec
 * ({@link dev.zhyper.service.common.ModulationCodec}: ContextModulation ⇄ ModulateResponse), the one failure → gRPC
 * status mapping ({@link dev.zhyper.service.common.GrpcErrors}), the dead-letter publisher (with the consumers' one
 * call, {@code DeadLetterPublisher.send}), and the test broker resource.
 */
package dev.zhyper.service.common;
