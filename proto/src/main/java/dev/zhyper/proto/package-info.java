/**
 * The {@code zhyper.v1} gRPC and event messages (generated from {@code proto/src/main/proto}) and the Kafka topic
 * names ({@code Topics}).
 */
package dev.zhyper.proto;
