package io.distillery.teacher.access;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.models.data.FashionMnist;
import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.GenerationSettings;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.LabelResponse;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.MutinyTeacherGrpc;
import io.distillery.proto.v1.Tensor;
import io.distillery.teacher.TinyTeacherResource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Multi;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The negative matrix of teacher access control over a real gRPC socket, against the real (tiny)
 * teacher: every way in without the right to it is refused with its exact status code, and a client
 * with the right role, within its limits, is served.
 */
@QuarkusTest
@QuarkusTestResource(value = TinyTeacherResource.class, restrictToAnnotatedClass = true)
@TestProfile(SecuredTeacherProfile.class)
class TeacherAccessTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @ConfigProperty(name = "quarkus.grpc.server.test-port")
  int grpcPort;

  private ManagedChannel channel;

  @BeforeEach
  void connect() {
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
  }

  @AfterEach
  void disconnect() {
    channel.shutdownNow();
  }

  private MutinyTeacherGrpc.MutinyTeacherStub anonymous() {
    return MutinyTeacherGrpc.newMutinyStub(channel);
  }

  private MutinyTeacherGrpc.MutinyTeacherStub bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(BearerTokenMechanism.AUTHORIZATION, "Bearer " + token);
    return anonymous().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static LabelRequest request(int samples, int k) {
    LabelRequest.Builder request = LabelRequest.newBuilder().setTopK(k).setTemperature(1f);
    int size = 1;
    for (long d : FashionMnist.SAMPLE_SHAPE) {
      size *= (int) d;
    }
    for (int s = 0; s < samples; s++) {
      Tensor.Builder tensor = Tensor.newBuilder().addAllShape(FashionMnist.SAMPLE_SHAPE);
      for (int i = 0; i < size; i++) {
        tensor.addValues(((i * 31 + s * 7) % 255) / 255f);
      }
      request.addSamples(ModelInput.newBuilder().setTensor(tensor));
    }
    return request.build();
  }

  private static StatusRuntimeException refusal(Supplier<?> call) {
    return assertThrows(StatusRuntimeException.class, call::get);
  }

  private static void assertRefused(Status.Code code, String inMessage, Supplier<?> call) {
    StatusRuntimeException e = refusal(call);
    assertEquals(code, e.getStatus().getCode(), String.valueOf(e.getStatus()));
    String description = String.valueOf(e.getStatus().getDescription());
    assertTrue(description.contains(inMessage), description);
  }

  @Test
  void noCredentialsAreUnauthenticated() {
    assertRefused(
        Status.Code.UNAUTHENTICATED,
        "requires a bearer token",
        () -> anonymous().describe(DescribeRequest.getDefaultInstance()).await().atMost(WAIT));
    assertRefused(
        Status.Code.UNAUTHENTICATED,
        "requires a bearer token",
        () -> anonymous().label(request(1, 3)).await().atMost(WAIT));
  }

  @Test
  void badCredentialsAreUnauthenticated() {
    assertRefused(
        Status.Code.UNAUTHENTICATED,
        "invalid bearer token",
        () -> bearer("not-a-jwt").label(request(1, 3)).await().atMost(WAIT));
    assertRefused(
        Status.Code.UNAUTHENTICATED,
        "invalid bearer token",
        () ->
            bearer(TestTokens.forged("labeler", "label", "describe"))
                .label(request(1, 3))
                .await()
                .atMost(WAIT));
  }

  @Test
  void anExpiredTokenIsUnauthenticated() {
    assertRefused(
        Status.Code.UNAUTHENTICATED,
        "invalid bearer token",
        () ->
            bearer(TestTokens.expired("labeler", "label", "describe"))
                .label(request(1, 3))
                .await()
                .atMost(WAIT));
  }

  @Test
  void aClientWithoutTheRoleIsDenied() {
    MutinyTeacherGrpc.MutinyTeacherStub viewer = bearer(TestTokens.token("viewer", "describe"));
    assertEquals(
        10,
        viewer.describe(DescribeRequest.getDefaultInstance()).await().atMost(WAIT).getOutputSize());
    assertRefused(
        Status.Code.PERMISSION_DENIED,
        "lacks the role 'label'",
        () -> viewer.label(request(1, 3)).await().atMost(WAIT));

    MutinyTeacherGrpc.MutinyTeacherStub labeler = bearer(TestTokens.token("labeler", "label"));
    LabelRequest generating =
        request(1, 3).toBuilder()
            .setGeneration(GenerationSettings.newBuilder().setMaxNewTokens(4))
            .build();
    assertRefused(
        Status.Code.PERMISSION_DENIED,
        "lacks the role 'generate'",
        () -> labeler.label(generating).await().atMost(WAIT));
    assertRefused(
        Status.Code.PERMISSION_DENIED,
        "lacks the role 'describe'",
        () -> labeler.describe(DescribeRequest.getDefaultInstance()).await().atMost(WAIT));
  }

  @Test
  void topKOverTheClientsCapIsDenied() {
    MutinyTeacherGrpc.MutinyTeacherStub student = bearer(TestTokens.token("student", "label"));
    assertEquals(
        5,
        student
            .label(request(1, 5))
            .await()
            .atMost(WAIT)
            .getSamples(0)
            .getPositions(0)
            .getIdsCount());
    assertRefused(
        Status.Code.PERMISSION_DENIED,
        "top-k of at most 5, asked for 6",
        () -> student.label(request(1, 6)).await().atMost(WAIT));
    // The labeler has its own, higher cap.
    MutinyTeacherGrpc.MutinyTeacherStub labeler = bearer(TestTokens.token("labeler", "label"));
    assertEquals(
        10,
        labeler
            .label(request(1, 10))
            .await()
            .atMost(WAIT)
            .getSamples(0)
            .getPositions(0)
            .getIdsCount());
  }

  @Test
  void overQuotaIsResourceExhaustedWithWhenToRetry() {
    MutinyTeacherGrpc.MutinyTeacherStub greedy = bearer(TestTokens.token("greedy", "label"));
    assertRefused(
        Status.Code.PERMISSION_DENIED,
        "at most 4 samples at once",
        () -> greedy.label(request(5, 3)).await().atMost(WAIT));
    assertEquals(3, greedy.label(request(3, 3)).await().atMost(WAIT).getSamplesCount());
    StatusRuntimeException over = refusal(() -> greedy.label(request(2, 3)).await().atMost(WAIT));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, over.getStatus().getCode());
    assertTrue(
        over.getStatus().getDescription().contains("retry after"),
        over.getStatus().getDescription());
    long retryAfterMs =
        Long.parseLong(over.getTrailers().get(AccessRefusedException.RETRY_AFTER_MS));
    // One sample short at 4 per minute: about 15 s, never more than the 30 s that two would take.
    assertTrue(retryAfterMs > 5_000 && retryAfterMs <= 30_000, "retry after " + retryAfterMs);
  }

  @Test
  void anAuthorisedClientIsServedOnBothRpcs() {
    MutinyTeacherGrpc.MutinyTeacherStub labeler =
        bearer(TestTokens.token("labeler", "describe", "label"));
    assertEquals(
        10,
        labeler
            .describe(DescribeRequest.getDefaultInstance())
            .await()
            .atMost(WAIT)
            .getOutputSize());
    LabelResponse response = labeler.label(request(3, 4)).await().atMost(WAIT);
    assertEquals(3, response.getSamplesCount());
    List<LabelResponse> streamed =
        labeler
            .labelStream(Multi.createFrom().items(request(1, 2), request(2, 2)))
            .collect()
            .asList()
            .await()
            .atMost(WAIT);
    assertEquals(List.of(1, 2), streamed.stream().map(LabelResponse::getSamplesCount).toList());
    assertRefused(
        Status.Code.UNAUTHENTICATED,
        "requires a bearer token",
        () ->
            anonymous()
                .labelStream(Multi.createFrom().items(request(1, 2)))
                .collect()
                .asList()
                .await()
                .atMost(WAIT));
  }

  private static double tokenVerifications(String outcome) {
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    return metrics
        .lines()
        .filter(
            l ->
                l.startsWith("distillery_teacher_access_token_verifications_total{")
                    && l.contains("outcome=\"" + outcome + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void aTokenIsVerifiedOnceAndRefusedOnceItExpires() throws InterruptedException {
    // Expiry is checked in whole seconds: 3 s leaves room for the calls before it.
    String token = TestTokens.expiringIn(3, "labeler", "label", "describe");
    long expiresAtMillis = (System.currentTimeMillis() / 1000 + 3) * 1000;
    MutinyTeacherGrpc.MutinyTeacherStub labeler = bearer(token);
    double verifiedBefore = tokenVerifications("verified");
    double refusedBefore = tokenVerifications("refused");
    for (int call = 0; call < 5; call++) {
      assertEquals(1, labeler.label(request(1, 3)).await().atMost(WAIT).getSamplesCount());
    }
    assertEquals(1, tokenVerifications("verified") - verifiedBefore, "verified once for 5 calls");

    // Past exp and the profile's 1 s clock skew.
    Thread.sleep(Math.max(0, expiresAtMillis - System.currentTimeMillis()) + 2_200);
    assertRefused(
        Status.Code.UNAUTHENTICATED,
        "invalid bearer token",
        () -> labeler.label(request(1, 3)).await().atMost(WAIT));
    assertEquals(1, tokenVerifications("refused") - refusedBefore, "checked again after exp");
    assertEquals(1, tokenVerifications("verified") - verifiedBefore);
  }

  @Test
  void decisionsAreCountedPerClientAndOutcome() {
    assertThrows(
        StatusRuntimeException.class,
        () ->
            bearer(TestTokens.token("counted", "describe"))
                .label(request(1, 2))
                .await()
                .atMost(WAIT));
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertTrue(
        metrics
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("distillery_teacher_access_total{")
                        && l.contains("client=\"counted\"")
                        && l.contains("outcome=\"permission-denied\"")
                        && l.contains("reason=\"role\"")
                        && l.contains("rpc=\"label\"")
                        && l.endsWith(" 1.0")),
        metrics);
  }
}
