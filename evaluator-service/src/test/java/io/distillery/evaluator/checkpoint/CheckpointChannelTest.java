package io.distillery.evaluator.checkpoint;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.RecordWriter;
import io.distillery.proto.v1.CheckpointEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Wiring against the real local broker: checkpoint events reach the evaluator's channel. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
class CheckpointChannelTest {

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Inject MeterRegistry registry;

  private double consumed(String outcome) {
    return registry
        .counter("distillery_evaluator_checkpoints_consumed", "outcome", outcome)
        .count();
  }

  @Test
  void checkpointEventsOnTheRealTopicAreConsumed() throws Exception {
    double decoded = consumed("decoded");
    double undecodable = consumed("undecodable");
    CheckpointEvent checkpoint = CheckpointEvent.newBuilder().setJobId("job-a").setStep(10).build();

    try (RecordWriter writer = new RecordWriter(bootstrapServers)) {
      writer.send(DistilleryTopics.CHECKPOINTS, "job-a", checkpoint.toByteArray());
      writer.send(DistilleryTopics.CHECKPOINTS, "job-a", new byte[0]);
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertEquals(decoded + 1, consumed("decoded"));
              assertEquals(undecodable + 1, consumed("undecodable"));
            });
    given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"));
    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("distillery_evaluator_checkpoints_consumed_total"));
  }
}
