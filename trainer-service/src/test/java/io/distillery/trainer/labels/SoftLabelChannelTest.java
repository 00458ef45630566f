package io.distillery.trainer.labels;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.RecordWriter;
import io.distillery.proto.v1.SoftLabelEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Wiring against the real local broker: records on the label log reach the trainer's channel. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
class SoftLabelChannelTest {

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Inject MeterRegistry registry;

  private double consumed(String outcome) {
    return registry
        .counter("distillery_trainer_labels_consumed", "job", "default", "outcome", outcome)
        .count();
  }

  @Test
  void softLabelsOnTheRealTopicAreConsumed() throws Exception {
    double decoded = consumed("decoded");
    double undecodable = consumed("undecodable");
    SoftLabelEvent label = SoftLabelEvent.newBuilder().setPromptId("p-1").setPositions(1).build();

    try (RecordWriter writer = new RecordWriter(bootstrapServers)) {
      writer.send(DistilleryTopics.SOFT_LABELS, "p-1", label.toByteArray());
      writer.send(DistilleryTopics.SOFT_LABELS, "p-2", new byte[] {0x0F});
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
        .body(containsString("distillery_trainer_labels_consumed_total{job=\"default\""));
  }
}
