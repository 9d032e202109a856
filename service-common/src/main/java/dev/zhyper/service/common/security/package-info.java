/**
 * Transport security and access control shared by the four services: {@link
 * dev.zhyper.service.common.security.AccessGuard} (the one interceptor deciding every HTTP request and gRPC call by
 * {@link dev.zhyper.service.common.security.AccessPolicy}; {@link dev.zhyper.service.common.security.ServiceAccess}
 * installs it in each service), and {@link
 * dev.zhyper.service.common.security.GrpcClientSecurity} (TLS and the token of internal gRPC clients).
 * See docs/adr/0013-transport-security-and-access-control.md.
 */
package dev.zhyper.service.common.security;
