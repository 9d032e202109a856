/**
 * What the four services share: Infinispan caches (embedded or Hot Rod), the protobuf-JSON codec of events, the
 * dead-letter publisher, and the test broker resource.
 */
package dev.zhyper.service.common;
