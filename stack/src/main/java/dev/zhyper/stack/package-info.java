/**
 * Running the stack without Docker: an embedded Kafka broker (KRaft, from Maven artifacts), its own-JVM launcher,
 * and service processes with readiness waits.
 */
package dev.zhyper.stack;
