package io.distillery.labeler.health;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.distillery.labeler.support.KafkaTopics;
import io.distillery.labeler.support.LabelerTeacherResource;
import io.distillery.labeler.support.Prompts;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.RecordWriter;
import io.distillery.localkafka.TopicReader;
import io.distillery.proto.v1.AuditDecision;
import io.distillery.proto.v1.AuditEvent;
import io.distillery.proto.v1.DistillationPolicy;
import io.distillery.proto.v1.SoftLabelEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** An explicit override lets a forbidden teacher label, and every label records it. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
@QuarkusTestResource(LabelerTeacherResource.class)
@TestProfile(ForbiddenTeacherOverrideTest.OverriddenForbiddingTeacher.class)
class ForbiddenTeacherOverrideTest {

  /** The fake teacher's card says DISTILLATION_FORBIDDEN; the operator allows it. */
  public static class OverriddenForbiddingTeacher implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "fake-teacher.distillation", "DISTILLATION_FORBIDDEN",
          "distillery.labeler.policy.allow-forbidden-teacher", "true");
    }
  }

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Test
  void labelsRecordTheOverride() throws Exception {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                given()
                    .get("/q/health/ready")
                    .then()
                    .statusCode(200)
                    .body(
                        "checks.find { it.name == 'distillery-teacher-gate' }.data.forbiddenTeacherOverride",
                        is(true)));

    String id = Prompts.runId("override") + "0";
    try (RecordWriter writer = new RecordWriter(bootstrap)) {
      writer.send(DistilleryTopics.PROMPTS, id, Prompts.image(id, 0).toByteArray());
    }
    Map<String, List<ConsumerRecord<String, byte[]>>> labels =
        KafkaTopics.awaitKeys(
            bootstrap, DistilleryTopics.SOFT_LABELS, List.of(id), Duration.ofSeconds(30));

    assertEquals(1, labels.getOrDefault(id, List.of()).size(), "labelled once");
    SoftLabelEvent label = SoftLabelEvent.parseFrom(labels.get(id).get(0).value());
    assertTrue(label.getForbiddenTeacherOverride());
    assertEquals(DistillationPolicy.DISTILLATION_FORBIDDEN, label.getTeacher().getDistillation());

    // The gate's override is in the audit log, with the teacher it was about.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<AuditEvent> overrides =
                  auditEvents().stream()
                      .filter(e -> e.getKind().equals("licence-gate"))
                      .filter(e -> e.getReason().equals("override"))
                      .toList();
              assertFalse(overrides.isEmpty(), "no licence-gate override in distill.audit");
              AuditEvent override = overrides.get(overrides.size() - 1);
              assertEquals("labeler-service", override.getService());
              assertEquals(AuditDecision.AUDIT_DECISION_ALLOWED, override.getDecision());
              assertEquals(label.getTeacher().getModelId(), override.getTeacherModelId());
              assertEquals(label.getTeacher().getArtifactSha256(), override.getTeacherSha256());
              assertEquals(
                  DistillationPolicy.DISTILLATION_FORBIDDEN.name(),
                  override.getFactsOrThrow("distillation"));
            });
  }

  private List<AuditEvent> auditEvents() throws InvalidProtocolBufferException {
    List<AuditEvent> events = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r :
        TopicReader.read(bootstrap, "distill.audit", 10_000, Duration.ofSeconds(2))) {
      events.add(AuditEvent.parseFrom(r.value()));
    }
    return events;
  }
}
