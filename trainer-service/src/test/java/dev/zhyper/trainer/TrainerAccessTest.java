package dev.zhyper.trainer;

import dev.zhyper.proto.v1.ListCheckpointsRequest;
import dev.zhyper.proto.v1.PromoteRequest;
import dev.zhyper.proto.v1.StartJobRequest;
import dev.zhyper.proto.v1.TrainerGrpc;
import dev.zhyper.service.common.KafkaBrokerResource;
import dev.zhyper.service.common.security.AccessPolicy;
import dev.zhyper.service.common.security.GrpcClientSecurity;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer with zhyper.auth on: its admin calls (PromoteCheckpoint, StartJob, GET /canary) need the admin role —
 * without credentials UNAUTHENTICATED / HTTP 401, with an inference token PERMISSION_DENIED / HTTP 403, with the
 * admin token they reach the service. Health stays open.
 */
@QuarkusTest
@TestProfile(TrainerAccessTest.AuthOn.class)
class TrainerAccessTest {

    static final String ADMIN = "admin-token-for-tests";
    static final String INFERENCE = "inference-token-for-tests";

    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("zhyper.auth.enabled", "true",
                    "zhyper.auth.tokens", "admin:sha256:" + AccessPolicy.sha256Hex(ADMIN) + ";inference:" + INFERENCE,
                    "zhyper.trainer.stream.enabled", "false");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaBrokerResource.class), new TestResourceEntry(TinyModelResource.class));
        }
    }

    @GrpcClient("trainer")
    TrainerGrpc.TrainerBlockingStub trainer;

    private TrainerGrpc.TrainerBlockingStub as(String token) {
        return new GrpcClientSecurity(false, null, null, null, token).authorize(trainer);
    }

    private static Status.Code code(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
    }

    @Test
    void adminGrpcCallsNeedTheAdminRole() {
        PromoteRequest promote = PromoteRequest.newBuilder().setCheckpointId("no-such-checkpoint").build();
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> trainer.promoteCheckpoint(promote)));
        assertEquals(Status.Code.UNAUTHENTICATED, code(() -> as("guessed").promoteCheckpoint(promote)));
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> as(INFERENCE).promoteCheckpoint(promote)));
        StartJobRequest start = StartJobRequest.newBuilder().setDatasetPath("/etc/passwd").build();
        assertEquals(Status.Code.PERMISSION_DENIED, code(() -> as(INFERENCE).startJob(start)));
        // the admin passes the guard and gets the service's own answers
        assertEquals(Status.Code.NOT_FOUND, code(() -> as(ADMIN).promoteCheckpoint(promote)));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> as(ADMIN).startJob(start)));
        assertTrue(as(ADMIN).listCheckpoints(ListCheckpointsRequest.getDefaultInstance()).getCheckpointsList().isEmpty());
    }

    @Test
    void adminHttpEndpointsAre401Then403ThenServed() {
        given().get("/canary").then().statusCode(401).header("www-authenticate", containsString("Bearer"))
                .body(containsString("authentication_error"));
        given().header("authorization", "Bearer " + INFERENCE).get("/canary").then().statusCode(403)
                .body(containsString("permission_error"));
        given().header("authorization", "Bearer " + ADMIN).get("/canary").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
    }
}
