package io.distillery.labeler.prompt;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.distillery.localkafka.DistilleryTopics;
import io.distillery.localkafka.LocalKafkaTestResource;
import io.distillery.localkafka.RecordWriter;
import io.distillery.proto.v1.ModelInput;
import io.distillery.proto.v1.PromptEvent;
import io.distillery.proto.v1.Tensor;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Wiring against the real local broker: records on the topic reach the prompt channel. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaTestResource.class)
class PromptChannelTest {

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrapServers;

  @Inject MeterRegistry registry;

  private double consumed(String format) {
    return registry.counter("distillery_labeler_prompts_consumed", "format", format).count();
  }

  @Test
  void promptsOnTheRealTopicAreConsumedInEveryWireFormat() throws Exception {
    double protobuf = consumed("protobuf");
    double json = consumed("json");
    double undecodable = consumed("undecodable");
    PromptEvent prompt =
        PromptEvent.newBuilder()
            .setId("wiring-1")
            .setDataset("test")
            .setInput(
                ModelInput.newBuilder().setTensor(Tensor.newBuilder().addShape(1).addValues(1f)))
            .build();

    try (RecordWriter writer = new RecordWriter(bootstrapServers)) {
      writer.send(DistilleryTopics.PROMPTS, "wiring-1", prompt.toByteArray());
      writer.send(
          DistilleryTopics.PROMPTS,
          "wiring-2",
          "{\"id\":\"wiring-2\"}".getBytes(StandardCharsets.UTF_8));
      writer.send(DistilleryTopics.PROMPTS, "wiring-3", new byte[] {0x0F, 0x00});
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertEquals(protobuf + 1, consumed("protobuf"));
              assertEquals(json + 1, consumed("json"));
              assertEquals(undecodable + 1, consumed("undecodable"));
            });
  }

  @Test
  void isReadyAndExportsPrometheusMetrics() {
    given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"));
    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("distillery_labeler_prompts_consumed_total{format=\"json\"}"));
  }
}
