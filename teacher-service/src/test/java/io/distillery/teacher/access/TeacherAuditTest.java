package io.distillery.teacher.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.TopicReader;
import io.distillery.proto.v1.AuditDecision;
import io.distillery.proto.v1.AuditEvent;
import io.distillery.proto.v1.DescribeRequest;
import io.distillery.proto.v1.LabelRequest;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.MutinyTeacherGrpc;
import io.distillery.proto.v1.Tensor;
import io.distillery.teacher.TinyTeacherResource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Every access decision, allowed or refused, lands on the audit topic of a real broker. */
@QuarkusTest
@QuarkusTestResource(value = TinyTeacherResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = LocalKafkaTestResource.class, restrictToAnnotatedClass = true)
@TestProfile(TeacherAuditTest.Audited.class)
class TeacherAuditTest {

  static final String TOPIC = "distill.audit.test-" + UUID.randomUUID();

  /** The secured teacher, auditing to its own topic. */
  public static class Audited implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> config = new HashMap<>(new SecuredTeacherProfile().getConfigOverrides());
      config.put("distillery.teacher.access.audit.enabled", "true");
      config.put("distillery.teacher.access.audit.topic", TOPIC);
      return config;
    }
  }

  @ConfigProperty(name = "quarkus.grpc.server.test-port")
  int grpcPort;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  private static LabelRequest oneSample(int k) {
    Tensor.Builder tensor = Tensor.newBuilder().addAllShape(List.of(1L, 28L, 28L));
    for (int i = 0; i < 784; i++) {
      tensor.addValues((i % 17) / 17f);
    }
    return LabelRequest.newBuilder()
        .setTopK(k)
        .setTemperature(1f)
        .addSamples(ModelInput.newBuilder().setTensor(tensor))
        .build();
  }

  @Test
  void allowedAndRefusedCallsAreAudited() throws Exception {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    try {
      MutinyTeacherGrpc.MutinyTeacherStub anonymous = MutinyTeacherGrpc.newMutinyStub(channel);
      Metadata headers = new Metadata();
      headers.put(
          BearerTokenMechanism.AUTHORIZATION,
          "Bearer " + TestTokens.token("audited-labeler", "label"));
      MutinyTeacherGrpc.MutinyTeacherStub labeler =
          anonymous.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));

      assertThrows(
          StatusRuntimeException.class,
          () ->
              anonymous
                  .describe(DescribeRequest.getDefaultInstance())
                  .await()
                  .atMost(Duration.ofSeconds(30)));
      assertEquals(
          1, labeler.label(oneSample(3)).await().atMost(Duration.ofSeconds(30)).getSamplesCount());
      assertThrows(
          StatusRuntimeException.class,
          () -> labeler.label(oneSample(9)).await().atMost(Duration.ofSeconds(30)));
    } finally {
      channel.shutdownNow();
    }

    List<ConsumerRecord<String, byte[]>> records =
        TopicReader.read(bootstrap, TOPIC, 3, Duration.ofSeconds(30));
    assertEquals(3, records.size());
    AuditEvent anonymousDescribe =
        AuditEvent.parseFrom(
            records.stream()
                .filter(r -> r.key().equals("anonymous"))
                .findFirst()
                .orElseThrow()
                .value());
    assertEquals("teacher-access", anonymousDescribe.getKind());
    assertEquals("describe", anonymousDescribe.getRpc());
    assertEquals(AuditDecision.AUDIT_DECISION_REFUSED, anonymousDescribe.getDecision());
    assertEquals("UNAUTHENTICATED", anonymousDescribe.getStatus());
    assertEquals("no-credentials", anonymousDescribe.getReason());

    List<AuditEvent> labelerEvents =
        records.stream()
            .filter(r -> r.key().equals("audited-labeler"))
            .map(
                r -> {
                  try {
                    return AuditEvent.parseFrom(r.value());
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                })
            .sorted(java.util.Comparator.comparingInt(AuditEvent::getTopK))
            .toList();
    assertEquals(2, labelerEvents.size());
    AuditEvent allowed = labelerEvents.get(0);
    assertEquals(AuditDecision.AUDIT_DECISION_ALLOWED, allowed.getDecision());
    assertEquals("label", allowed.getRpc());
    assertEquals(1, allowed.getSamples());
    assertEquals(3, allowed.getTopK());
    assertEquals("teacher-service", allowed.getService());
    AuditEvent refused = labelerEvents.get(1);
    assertEquals(AuditDecision.AUDIT_DECISION_REFUSED, refused.getDecision());
    assertEquals("PERMISSION_DENIED", refused.getStatus());
    assertEquals("top-k", refused.getReason());
    assertTrue(refused.getMessage().contains("at most 5, asked for 9"), refused.getMessage());
    assertTrue(Math.abs(refused.getTimeMs() - System.currentTimeMillis()) < 120_000);
  }
}
