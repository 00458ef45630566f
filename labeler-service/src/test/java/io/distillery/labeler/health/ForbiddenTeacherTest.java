package io.distillery.labeler.health;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.labeler.support.KafkaTopics;
import io.distillery.labeler.support.LabelerTeacherResource;
import io.distillery.labeler.support.Prompts;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.RecordWriter;
import io.distillery.teacherclient.testing.FakeTeacher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** A teacher whose licence forbids distillation keeps the labeler from consuming. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
@QuarkusTestResource(LabelerTeacherResource.class)
@TestProfile(ForbiddenTeacherTest.ForbiddingTeacher.class)
class ForbiddenTeacherTest {

  /** The fake teacher's card says DISTILLATION_FORBIDDEN; no override. */
  public static class ForbiddingTeacher implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("fake-teacher.distillation", "DISTILLATION_FORBIDDEN");
    }
  }

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  FakeTeacher teacher;

  @Test
  void readinessIsDownWithTheReasonAndNoPromptIsConsumed() throws Exception {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                given()
                    .get("/q/health/ready")
                    .then()
                    .statusCode(503)
                    .body("checks.find { it.name == 'distillery-teacher-gate' }.status", is("DOWN"))
                    .body(
                        "checks.find { it.name == 'distillery-teacher-gate' }.data.reason",
                        allOf(
                            containsString("forbids distillation"),
                            containsString("allow-forbidden-teacher=true"))));

    String id = Prompts.runId("forbidden") + "0";
    long offset;
    try (RecordWriter writer = new RecordWriter(bootstrap)) {
      offset =
          writer.send(DistilleryTopics.PROMPTS, id, Prompts.image(id, 0).toByteArray()).offset();
    }
    Thread.sleep(2_000);

    assertTrue(
        KafkaTopics.awaitKeys(
                bootstrap, DistilleryTopics.SOFT_LABELS, List.of(id), Duration.ofSeconds(1))
            .isEmpty(),
        "no label from a forbidden teacher");
    assertEquals(0, teacher.labelCalls(), "the teacher is never asked to label");
    long committed =
        KafkaTopics.committedOffset(bootstrap, "distillery-labeler", DistilleryTopics.PROMPTS);
    assertTrue(committed <= offset, "the prompt is not consumed: committed " + committed);
    given().get("/q/metrics").then().body(containsString("distillery_labeler_gate_open 0.0"));
  }
}
