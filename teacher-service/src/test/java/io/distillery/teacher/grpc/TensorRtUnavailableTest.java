package io.distillery.teacher.grpc;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.MutinyTeacherGrpc;
import io.distillery.teacher.TinyTeacherResource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * On this machine there is no GPU and no TensorRT: a teacher configured for TensorRT must start,
 * stay not ready with a reason that names the missing library and the CPU engine, and answer
 * UNAVAILABLE rather than hang or crash.
 */
@QuarkusTest
@QuarkusTestResource(value = TinyTeacherResource.class, restrictToAnnotatedClass = true)
@TestProfile(TensorRtUnavailableTest.TensorRt.class)
class TensorRtUnavailableTest {

  /** Selects the TensorRT engine. */
  public static class TensorRt implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("distillery.teacher.engine", "TensorRT");
    }
  }

  @ConfigProperty(name = "quarkus.grpc.server.test-port")
  int grpcPort;

  @Test
  void staysNotReadyNamingTheMissingLibraryAndTheFallback() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(503)
        .body("status", is("DOWN"))
        .body(containsString("engine TensorRT is not available"))
        .body(containsString("distillery.teacher.engine=OnnxRuntime"));
    given().get("/q/health/live").then().statusCode(200);
    given()
        .get("/q/metrics")
        .then()
        .body(containsString("distillery_teacher_model_loaded{engine=\"TensorRT\"} 0.0"))
        // Exported at zero from start-up, so rejection panels and alerts have a series.
        .body(containsString("distillery_teacher_rejections_total{reason=\"queue-full\"} 0.0"));
  }

  @Test
  void answersUnavailable() {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    try {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  MutinyTeacherGrpc.newMutinyStub(channel)
                      .describe(DescribeRequest.getDefaultInstance())
                      .await()
                      .atMost(Duration.ofSeconds(10)));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("TensorRT"));
    } finally {
      channel.shutdownNow();
    }
  }
}
