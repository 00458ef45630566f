package io.distillery.evaluator.checkpoint;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distillery.evaluator.support.EvaluationsTopic;
import io.distillery.evaluator.support.EvaluatorTestResource;
import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.RecordWriter;
import io.distillery.proto.v1.CheckpointEvent;
import io.distillery.proto.v1.EvaluationEvent;
import io.distillery.proto.v1.EvaluationStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Wiring against the real local broker: checkpoint records reach the evaluator's channel, bad ones
 * become FAILED evaluations on the real evaluations topic, and health and metrics answer.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
@QuarkusTestResource(EvaluatorTestResource.class)
class CheckpointChannelTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Inject MeterRegistry registry;

  private double consumed(String outcome) {
    return registry
        .counter("distillery_evaluator_checkpoints_consumed", "outcome", outcome)
        .count();
  }

  @Test
  void recordsThatCannotBeScoredBecomeFailedEvaluationsAndTheServiceKeepsGoing() throws Exception {
    double decoded = consumed("decoded");
    double undecodable = consumed("undecodable");
    CheckpointEvent noUri = CheckpointEvent.newBuilder().setJobId("job-wiring").setStep(10).build();

    try (RecordWriter writer = new RecordWriter(bootstrapServers)) {
      writer.send(
          DistilleryTopics.CHECKPOINTS, "job-wiring", "{not json".getBytes(StandardCharsets.UTF_8));
      writer.send(DistilleryTopics.CHECKPOINTS, "job-wiring", noUri.toByteArray());
    }

    List<EvaluationEvent> evaluations =
        EvaluationsTopic.read(bootstrapServers, "job-wiring", 2, WAIT);
    assertEquals(2, evaluations.size(), evaluations.toString());
    EvaluationEvent garbage = evaluations.get(0);
    assertEquals(EvaluationStatus.EVALUATION_FAILED, garbage.getStatus());
    assertTrue(garbage.getFailureReason().startsWith("undecodable: "), garbage.getFailureReason());
    assertTrue(garbage.getFailureReason().contains("invalid-json"), garbage.getFailureReason());
    EvaluationEvent incomplete = evaluations.get(1);
    assertEquals(EvaluationStatus.EVALUATION_FAILED, incomplete.getStatus());
    assertEquals(10, incomplete.getStep());
    assertEquals(
        "invalid-event: checkpoint event (job 'job-wiring', step 10) has no uri",
        incomplete.getFailureReason());
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertEquals(decoded + 1, consumed("decoded"));
              assertEquals(undecodable + 1, consumed("undecodable"));
            });

    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", is("UP"))
        .body(containsString("fashion-mnist/t10k[0:2000]"));
    given().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("distillery_evaluator_checkpoints_consumed_total"))
        .body(containsString("distillery_evaluator_failures_total{reason=\"undecodable\"}"))
        .body(containsString("distillery_evaluator_failures_total{reason=\"invalid-event\"}"))
        .body(containsString("distillery_evaluator_teacher_up"))
        .body(containsString("distillery_evaluator_eval_set_images 2000.0"));
  }
}
