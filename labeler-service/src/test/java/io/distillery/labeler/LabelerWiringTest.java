package io.distillery.labeler;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import io.distillery.labeler.support.LabelerTeacherResource;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The app is ready once the teacher passed the gate, and exports its metrics and the Kafka lag. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
@QuarkusTestResource(LabelerTeacherResource.class)
class LabelerWiringTest {

  @Test
  void isReadyWithTheTeacherCardInTheHealthCheck() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                given()
                    .get("/q/health/ready")
                    .then()
                    .statusCode(200)
                    .body("status", is("UP"))
                    .body("checks.name", hasItem("distillery-teacher-gate"))
                    .body(
                        "checks.find { it.name == 'distillery-teacher-gate' }.data.teacher",
                        containsString("fake-fashion test-1"))
                    .body(
                        "checks.find { it.name == 'distillery-teacher-gate' }.data.topK", is(10)));
  }

  @Test
  void exportsLabelerMetricsAndKafkaConsumerLag() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                given()
                    .get("/q/metrics")
                    .then()
                    .statusCode(200)
                    .body(
                        containsString(
                            "distillery_labeler_prompts_consumed_total{format=\"json\"}"))
                    .body(containsString("distillery_labeler_labels_produced_total"))
                    .body(
                        containsString(
                            "distillery_labeler_dlq_records_total{reason=\"tensor-size-mismatch\"}"))
                    .body(containsString("distillery_labeler_teacher_request_seconds_bucket"))
                    .body(containsString("distillery_labeler_teacher_batch_size_samples_count"))
                    .body(containsString("distillery_labeler_batches_in_flight"))
                    .body(containsString("distillery_labeler_prompts_in_flight"))
                    .body(containsString("distillery_labeler_gate_open 1.0"))
                    .body(containsString("kafka_consumer_fetch_manager_records_lag_max")));
  }
}
