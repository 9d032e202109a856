package dev.zhyper.service.common.security;

import org.junit.jupiter.api.Test;

import javax.security.auth.x500.X500Principal;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokens and certificate subjects to roles, which call needs which role. */
class AccessPolicyTest {

    static final AccessPolicy POLICY = AccessPolicy.of(
            "inference:sha256:" + AccessPolicy.sha256Hex("infer-secret") + "; admin:admin-secret",
            "inference:CN=generator, O=zhyper;admin:CN=ops,O=zhyper");

    static AccessPolicy.Verdict check(Role need, String auth, String subject) {
        return POLICY.decide(need, auth, subject == null ? null : new X500Principal(subject)).verdict();
    }

    @Test
    void tokensAndSubjectsMapToRolesAndAdminCoversInference() {
        assertEquals(AccessPolicy.Verdict.ALLOW, check(Role.INFERENCE, "Bearer infer-secret", null));
        assertEquals(AccessPolicy.Verdict.PERMISSION_DENIED, check(Role.ADMIN, "Bearer infer-secret", null));
        assertEquals(AccessPolicy.Verdict.ALLOW, check(Role.ADMIN, "bearer admin-secret", null));
        assertEquals(AccessPolicy.Verdict.ALLOW, check(Role.INFERENCE, "Bearer admin-secret", null));
        // canonical X.500 comparison: spacing and case of attribute names do not matter
        assertEquals(AccessPolicy.Verdict.ALLOW, check(Role.INFERENCE, null, "cn=generator,o=zhyper"));
        assertEquals(AccessPolicy.Verdict.PERMISSION_DENIED, check(Role.ADMIN, null, "CN=generator,O=zhyper"));
        assertEquals(AccessPolicy.Verdict.ALLOW, check(Role.ADMIN, null, "CN=ops,O=zhyper"));
    }

    @Test
    void missingWrongOrMalformedCredentialsAreUnauthenticated() {
        assertEquals(AccessPolicy.Verdict.UNAUTHENTICATED, check(Role.INFERENCE, null, null));
        assertEquals(AccessPolicy.Verdict.UNAUTHENTICATED, check(Role.INFERENCE, "Bearer nope", null));
        assertEquals(AccessPolicy.Verdict.UNAUTHENTICATED, check(Role.INFERENCE, "Basic abc", null));
        assertEquals(AccessPolicy.Verdict.UNAUTHENTICATED, check(Role.INFERENCE, null, "CN=stranger"));
        // a wrong token is not rescued by a known certificate
        assertEquals(AccessPolicy.Verdict.UNAUTHENTICATED, check(Role.INFERENCE, "Bearer nope", "CN=ops,O=zhyper"));
        AccessPolicy.Decision d = POLICY.decide(Role.ADMIN, "Bearer infer-secret", null);
        assertFalse(d.message().contains("infer-secret"), d.message());
    }

    @Test
    void publicPathsAndDisabledPoliciesLetEverythingThrough() {
        assertEquals(AccessPolicy.Verdict.ALLOW, POLICY.decide(null, null, null).verdict());
        AccessPolicy off = AccessPolicy.fromConfig(Map.of("zhyper.auth.enabled", "false")::get);
        assertFalse(off.enabled());
        assertEquals(AccessPolicy.Verdict.ALLOW, off.decide(Role.ADMIN, null, null).verdict());
        AccessPolicy on = AccessPolicy.fromConfig(Map.<String, String>of()::get);
        assertTrue(on.enabled(), "on unless switched off");
        assertEquals(AccessPolicy.Verdict.UNAUTHENTICATED, on.decide(Role.INFERENCE, "Bearer x", null).verdict());
    }

    @Test
    void methodsAndPathsNeedTheirRoles() {
        assertEquals(Role.INFERENCE, AccessPolicy.requiredForGrpc("/zhyper.v1.Generator/Generate"));
        assertEquals(Role.INFERENCE, AccessPolicy.requiredForGrpc("/zhyper.v1.Generator/GenerateStream"));
        assertEquals(Role.INFERENCE, AccessPolicy.requiredForGrpc("/zhyper.v1.Hypernet/Modulate"));
        assertEquals(Role.INFERENCE, AccessPolicy.requiredForGrpc("/zhyper.v1.Embedder/Embed"));
        for (String m : new String[] {"Trainer/StartJob", "Trainer/CancelJob", "Trainer/PromoteCheckpoint",
                "Trainer/RollbackCheckpoint", "Hypernet/ExportPeft", "Hypernet/RegisterContext", "Trainer/Unknown"}) {
            assertEquals(Role.ADMIN, AccessPolicy.requiredForGrpc("/zhyper.v1." + m), m);
        }
        assertEquals(Role.ADMIN, AccessPolicy.requiredForGrpc("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"));
        assertNull(AccessPolicy.requiredForGrpc("/grpc.health.v1.Health/Check"));
        assertEquals(Role.INFERENCE, AccessPolicy.requiredForHttp("/v1/chat/completions"));
        assertEquals(Role.INFERENCE, AccessPolicy.requiredForHttp("/zhyper/v1/modulation"));
        assertEquals(Role.ADMIN, AccessPolicy.requiredForHttp("/canary"));
        assertNull(AccessPolicy.requiredForHttp("/q/health/ready"));
        assertNull(AccessPolicy.requiredForHttp("/playground/index.html"));
    }

    @Test
    void malformedEntriesAreRefusedWithoutEchoingTokens() {
        var e = assertThrows(IllegalArgumentException.class, () -> AccessPolicy.of("nobody:topsecret", null));
        assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AccessPolicy.of("admin:sha256:1234", null));
        assertTrue(e.getMessage().contains("64 hex"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AccessPolicy.of(null, "admin:not a dn"));
    }
}
